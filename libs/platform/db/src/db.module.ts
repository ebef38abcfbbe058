import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { DbService } from './db.service';
import { Random } from './random';
import { TenantChanges } from './tenant-changes';

/** Needs APP_CONFIG (a BaseConfig) from the app's config module. */
@Global()
@Module({
  providers: [DbService, Clock, Random, TenantChanges],
  exports: [DbService, Clock, Random, TenantChanges],
})
export class DbModule {}

import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { DbService } from './db.service';
import { TenantChanges } from './tenant-changes';

/** Needs APP_CONFIG (a BaseConfig) from the app's config module. */
@Global()
@Module({ providers: [DbService, Clock, TenantChanges], exports: [DbService, Clock, TenantChanges] })
export class DbModule {}

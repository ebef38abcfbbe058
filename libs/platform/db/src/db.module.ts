import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { DbService } from './db.service';

/** Needs APP_CONFIG (a BaseConfig) from the app's config module. */
@Global()
@Module({ providers: [DbService, Clock], exports: [DbService, Clock] })
export class DbModule {}

import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { DbService } from './db.service';
import { Random } from './random';

/** Needs APP_CONFIG (a BaseConfig) from the app's config module. */
@Global()
@Module({ providers: [DbService, Clock, Random], exports: [DbService, Clock, Random] })
export class DbModule {}

import { Module } from '@nestjs/common';
import { MethodsModule } from '../methods/methods.module';
import { AppPasswordsController } from './app-passwords.controller';
import { AppPasswordsService } from './app-passwords.service';

@Module({ imports: [MethodsModule], controllers: [AppPasswordsController], providers: [AppPasswordsService] })
export class AppPasswordsModule {}

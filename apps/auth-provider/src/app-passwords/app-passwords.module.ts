import { Module } from '@nestjs/common';
import { KeyDerivationModule } from '../common/key-derivation';
import { MethodsModule } from '../methods/methods.module';
import { AppPasswordsController } from './app-passwords.controller';
import { AppPasswordsService } from './app-passwords.service';

@Module({
  imports: [MethodsModule, KeyDerivationModule],
  controllers: [AppPasswordsController],
  providers: [AppPasswordsService],
})
export class AppPasswordsModule {}

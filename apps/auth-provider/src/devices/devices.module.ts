import { Module } from '@nestjs/common';
import { secretBoxProvider } from '../common/secret-box.provider';
import { MethodsModule } from '../methods/methods.module';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';

@Module({ imports: [MethodsModule], controllers: [DevicesController], providers: [DevicesService, secretBoxProvider] })
export class DevicesModule {}

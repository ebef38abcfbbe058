import { Module } from '@nestjs/common';
import { DeviceResealTarget } from '@twofold/directory/data-access';
import { MessageResealTarget } from '@twofold/delivery/data-access';
import { OathTokenResealTarget } from '@twofold/tokens/data-access';
import { AdminResealTarget } from '@twofold/tenancy/data-access';
import { secretBoxProvider } from '../common/secret-box.provider';
import { ResealService } from './reseal.service';

@Module({
  providers: [
    secretBoxProvider,
    DeviceResealTarget,
    OathTokenResealTarget,
    MessageResealTarget,
    AdminResealTarget,
    ResealService,
  ],
  exports: [ResealService],
})
export class ResealModule {}

import { Module } from '@nestjs/common';
import {
  AppPasswordRepository,
  DeviceActivationRepository,
  MethodPolicyRepository,
  MethodRepository,
  RegistrationRepository,
} from '@twofold/directory/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { MethodsController } from './methods.controller';
import { MethodsService } from './methods.service';
import { UserMethodsState } from './user-methods.state';

const REPOSITORIES = [
  MethodRepository,
  MethodPolicyRepository,
  RegistrationRepository,
  DeviceActivationRepository,
  AppPasswordRepository,
  AuditLogRepository,
];

/** Methods and registration (R11, R15, R19); exports the shared user-methods state to devices and app passwords. */
@Module({
  controllers: [MethodsController],
  providers: [MethodsService, UserMethodsState, ...REPOSITORIES],
  exports: [UserMethodsState, ...REPOSITORIES],
})
export class MethodsModule {}

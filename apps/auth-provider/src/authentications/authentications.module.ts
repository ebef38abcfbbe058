import { Module } from '@nestjs/common';
import { AuthenticationRecordRepository, AuthenticationRepository } from '@twofold/authentication/data-access';
import { UsageOutboxRepository } from '@twofold/billing/data-access';
import { MessageRepository } from '@twofold/delivery/data-access';
import {
  AppPasswordRepository,
  DeviceActivationRepository,
  MethodPolicyRepository,
  MethodRepository,
  UserRepository,
} from '@twofold/directory/data-access';
import { MfaServerRepository, ProviderRepository } from '@twofold/providers/data-access';
import { TenantRepository } from '@twofold/tenancy/data-access';
import { OathTokenRepository } from '@twofold/tokens/data-access';
import { secretBoxProvider } from '../common/secret-box.provider';
import { AuthenticationGuards } from './authentication-guards';
import { AuthenticationSweeper } from './authentication-sweeper';
import { AuthenticationsController } from './authentications.controller';
import { AuthenticationsService } from './authentications.service';

@Module({
  controllers: [AuthenticationsController],
  providers: [
    AuthenticationsService,
    AuthenticationSweeper,
    AuthenticationGuards,
    secretBoxProvider,
    AuthenticationRepository,
    AuthenticationRecordRepository,
    UsageOutboxRepository,
    MessageRepository,
    UserRepository,
    MethodRepository,
    MethodPolicyRepository,
    DeviceActivationRepository,
    AppPasswordRepository,
    OathTokenRepository,
    ProviderRepository,
    MfaServerRepository,
    TenantRepository,
  ],
})
export class AuthenticationsModule {}

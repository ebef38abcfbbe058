import { Module } from '@nestjs/common';
import { DeviceActivationRepository, UserRepository } from '@twofold/directory/data-access';
import {
  ActivationCredentialRepository,
  LinkConsentRepository,
  MfaServerRepository,
  ProviderRepository,
} from '@twofold/providers/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';

@Module({
  controllers: [ProvidersController],
  providers: [
    ProvidersService,
    ProviderRepository,
    MfaServerRepository,
    ActivationCredentialRepository,
    LinkConsentRepository,
    DeviceActivationRepository,
    AuditLogRepository,
    UserRepository,
  ],
})
export class ProvidersModule {}

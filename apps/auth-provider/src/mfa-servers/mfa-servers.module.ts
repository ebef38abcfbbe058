import { Module } from '@nestjs/common';
import {
  ActivationCredentialRepository,
  MfaServerRepository,
  ProviderRepository,
} from '@twofold/providers/data-access';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { ActivationCredentialsController } from './activation-credentials.controller';
import { MfaServerSelfController } from './mfa-server-self.controller';
import { MfaServersController } from './mfa-servers.controller';
import { MfaServersService } from './mfa-servers.service';

@Module({
  controllers: [MfaServerSelfController, MfaServersController, ActivationCredentialsController],
  providers: [
    MfaServersService,
    ProviderRepository,
    MfaServerRepository,
    ActivationCredentialRepository,
    AuditLogRepository,
  ],
})
export class MfaServersModule {}

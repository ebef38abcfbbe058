import { Module } from '@nestjs/common';
import {
  ActivationCredentialRepository,
  MfaServerRepository,
  ProviderRepository,
} from '@twofold/providers/data-access';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { REDIS_CLIENT, SlidingWindowLimiter } from '@twofold/platform/queue';
import { ACTIVATION_ATTEMPT_LIMIT } from '@twofold/providers/domain';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import type { Redis } from 'ioredis';
import { ActivationCredentialsController } from './activation-credentials.controller';
import { MfaServerSelfController } from './mfa-server-self.controller';
import { MfaServersController } from './mfa-servers.controller';
import { ACTIVATION_LIMITER, MfaServersService } from './mfa-servers.service';

@Module({
  controllers: [MfaServerSelfController, MfaServersController, ActivationCredentialsController],
  providers: [
    MfaServersService,
    ProviderRepository,
    MfaServerRepository,
    ActivationCredentialRepository,
    AuditLogRepository,
    {
      provide: ACTIVATION_LIMITER,
      inject: [REDIS_CLIENT, APP_CONFIG],
      // Keyed by IP alone (no tenant yet); the queue prefix keeps deployments and test runs apart.
      useFactory: (redis: Redis, config: BaseConfig) =>
        new SlidingWindowLimiter(redis, {
          name: 'mfa-activation',
          prefix: `rl-${config.QUEUE_PREFIX.replace(/[{}]/g, '')}`,
          ...ACTIVATION_ATTEMPT_LIMIT,
        }),
    },
  ],
})
export class MfaServersModule {}

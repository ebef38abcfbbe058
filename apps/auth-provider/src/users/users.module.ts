import { Module } from '@nestjs/common';
import { RecordRetentionRepository } from '@twofold/authentication/data-access';
import { MessageErasureRepository } from '@twofold/delivery/data-access';
import { MethodPolicyRepository, UserRepository } from '@twofold/directory/data-access';
import { ERASURE_LIMIT } from '@twofold/directory/domain';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { REDIS_CLIENT, SlidingWindowLimiter } from '@twofold/platform/queue';
import { AuditLogRepository, AuditRetentionRepository } from '@twofold/tenancy/data-access';
import type { Redis } from 'ioredis';
import { AuthenticationsModule } from '../authentications/authentications.module';
import { UsersController } from './users.controller';
import { ERASURE_LIMITER, UserErasureService } from './user-erasure.service';
import { UsersService } from './users.service';

@Module({
  imports: [AuthenticationsModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UserErasureService,
    UserRepository,
    MethodPolicyRepository,
    AuditLogRepository,
    AuditRetentionRepository,
    RecordRetentionRepository,
    MessageErasureRepository,
    {
      provide: ERASURE_LIMITER,
      inject: [REDIS_CLIENT, APP_CONFIG],
      // Keyed by tenant; the queue prefix keeps deployments and test runs apart.
      useFactory: (redis: Redis, config: BaseConfig) =>
        new SlidingWindowLimiter(redis, {
          name: 'user-erasure',
          prefix: `rl-${config.QUEUE_PREFIX.replace(/[{}]/g, '')}`,
          ...ERASURE_LIMIT,
        }),
    },
  ],
})
export class UsersModule {}

import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { QueueProducer } from './producer';
import { createRedis } from './redis';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Injectable()
class QueueShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly producer: QueueProducer,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Redis for HTTP processes: a fail-fast client (health, rate limits) and the job producer. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: BaseConfig) => createRedis(config.REDIS_URL, 'client', 'twofold-http'),
    },
    {
      provide: QueueProducer,
      inject: [REDIS_CLIENT, APP_CONFIG],
      useFactory: (redis: Redis, config: BaseConfig) => new QueueProducer(redis, config.QUEUE_PREFIX),
    },
    QueueShutdown,
  ],
  exports: [REDIS_CLIENT, QueueProducer],
})
export class QueueModule {}

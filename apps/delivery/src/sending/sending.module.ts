import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, DeliveryWorkerConfig } from '@twofold/platform/config';
import {
  DeliveryOutcomeRepository,
  MessageRepository,
  OutboxRepository,
  SenderRateLimiter,
  SendingSqlRepository,
  TwilioGateway,
} from '@twofold/delivery/data-access';
import { createRedis, QueueProducer } from '@twofold/platform/queue';
import { secretBoxProvider } from '../common/secret-box.provider';
import { VoiceFallback } from '../common/voice-fallback';
import { OutboxSweeper } from './outbox.sweeper';
import { SendingService } from './sending.service';

/** The worker's own Redis client for the fallback producer. */
const RATE_REDIS = Symbol('RATE_REDIS');
/**
 * The sender rate limiter's client, auto-pipelined: the jobs of one prepared batch ask for their
 * slots in the same turn of the event loop, and their scripts go out in one write.
 */
const LIMITER_REDIS = Symbol('LIMITER_REDIS');

@Injectable()
class RateRedisShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(RATE_REDIS) private readonly redis: Redis,
    @Inject(LIMITER_REDIS) private readonly limiterRedis: Redis,
    private readonly producer: QueueProducer,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
    for (const r of [this.redis, this.limiterRedis]) await r.quit().catch(() => r.disconnect());
  }
}

@Module({
  providers: [
    secretBoxProvider,
    MessageRepository,
    SendingSqlRepository,
    DeliveryOutcomeRepository,
    {
      provide: TwilioGateway,
      inject: [APP_CONFIG],
      useFactory: (c: DeliveryWorkerConfig) =>
        new TwilioGateway({
          apiBaseUrl: c.TWILIO_API_BASE_URL,
          accountSid: c.TWILIO_ACCOUNT_SID,
          authToken: c.TWILIO_AUTH_TOKEN,
          timeoutMs: c.TWILIO_TIMEOUT_MS,
        }),
    },
    {
      provide: RATE_REDIS,
      inject: [APP_CONFIG],
      useFactory: (c: DeliveryWorkerConfig) => createRedis(c.REDIS_URL, 'worker', 'twofold-delivery-rate'),
    },
    {
      provide: LIMITER_REDIS,
      inject: [APP_CONFIG],
      useFactory: (c: DeliveryWorkerConfig) =>
        createRedis(c.REDIS_URL, 'worker', 'twofold-delivery-limiter', { enableAutoPipelining: true }),
    },
    {
      provide: SenderRateLimiter,
      inject: [LIMITER_REDIS, APP_CONFIG],
      // Namespaced like the queues (without their hash-tag braces), so deployments sharing a Redis
      // do not share sender budgets by accident.
      useFactory: (r: Redis, c: DeliveryWorkerConfig) =>
        new SenderRateLimiter(r, `dlv-rate:${c.QUEUE_PREFIX.replace(/[{}]/g, '')}`),
    },
    {
      // SMS -> voice fallback enqueues the call from the worker.
      provide: QueueProducer,
      inject: [RATE_REDIS, APP_CONFIG],
      useFactory: (r: Redis, c: DeliveryWorkerConfig) => new QueueProducer(r, c.QUEUE_PREFIX),
    },
    RateRedisShutdown,
    VoiceFallback,
    SendingService,
    OutboxRepository,
    OutboxSweeper,
  ],
  exports: [SendingService, OutboxSweeper],
})
export class SendingModule {}

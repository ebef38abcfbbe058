import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, BaseConfig } from '@twofold/platform/config';
import { measureQueue } from '@twofold/platform/metrics';
import { QueueProducer } from './producer';
import { QueueName } from './queues';
import { createRedis } from './redis';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Redis connect timeout of the HTTP client (createRedis 'client'), and how long boot waits for it. */
const READY_WAIT_MS = 3_000;

@Injectable()
class QueueLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly producer: QueueProducer,
  ) {}

  /**
   * The client fails fast (no offline queue), so a request served before the connection is up
   * would fail: wait for it at boot. If Redis is down, boot goes on and /health/ready says so.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), READY_WAIT_MS);
      const onReady = () => done(true);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      this.redis.once('ready', onReady);
    });
    if (!ready) this.logger.warn(`Redis not ready after ${READY_WAIT_MS} ms; requests that need it fail until it is`);
  }

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
      // Auto-pipelining: the commands of concurrent requests issued in one tick share one write.
      useFactory: (config: BaseConfig) =>
        createRedis(config.REDIS_URL, 'client', 'twofold-http', { enableAutoPipelining: true }),
    },
    {
      provide: QueueProducer,
      inject: [REDIS_CLIENT, APP_CONFIG],
      useFactory: (redis: Redis, config: BaseConfig) => new QueueProducer(redis, config.QUEUE_PREFIX),
    },
    QueueLifecycle,
  ],
  exports: [REDIS_CLIENT, QueueProducer],
})
export class QueueModule {}

const MEASURED_QUEUES = Symbol('MEASURED_QUEUES');

@Injectable()
class QueueDepthMetrics implements OnModuleInit, OnModuleDestroy {
  private stops: (() => void)[] = [];

  constructor(
    private readonly producer: QueueProducer,
    @Inject(MEASURED_QUEUES) private readonly queues: readonly QueueName[],
  ) {}

  onModuleInit(): void {
    this.stops = this.queues.map((name) => measureQueue(name, () => this.producer.jobCounts(name)));
  }

  onModuleDestroy(): void {
    for (const stop of this.stops) stop();
  }
}

/**
 * An HTTP process's queue gauges (docs/decisions/0024): job counts of the queues it produces to or
 * owns, read through its producer when /metrics is scraped. Needs QueueModule.
 */
@Module({})
export class QueueMetricsModule {
  static forRoot(queues: readonly QueueName[]): DynamicModule {
    return {
      module: QueueMetricsModule,
      providers: [{ provide: MEASURED_QUEUES, useValue: queues }, QueueDepthMetrics],
    };
  }
}

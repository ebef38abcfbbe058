import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  ModuleMetadata,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
  Type,
} from '@nestjs/common';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, WorkerConfig } from '@twofold/platform/config';
import { measureQueue, MetricsListener } from '@twofold/platform/metrics';
import { createRedis } from './redis';
import { JobOf, JobType, QueueName } from './queues';
import { HandlerRegistration, indexHandlers, JobContext, startWorkers } from './worker-runtime';

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');

/**
 * Runs the BullMQ workers of one app. Handlers are checked before anything starts (a missing or
 * doubled handler stops the process); on shutdown running jobs finish before the connection closes.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerHost');
  private workers: Worker[] = [];
  private connection?: Redis;
  private measured: { queue: Queue; stop: () => void }[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(JOB_HANDLERS) private readonly handlers: HandlerRegistration[],
  ) {
    indexHandlers(handlers);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Connect first, also with nothing to serve yet: a worker that cannot reach Redis must not
    // look healthy, and the open connection is what keeps an idle worker process running.
    this.connection = createRedis(this.config.REDIS_URL, 'worker', 'twofold-worker');
    await this.connection.ping();
    if (this.handlers.length === 0) {
      this.logger.warn('no job processors registered yet: this worker serves no queue');
      return;
    }
    this.workers = startWorkers(this.handlers, {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
      onFailed: (queue, job, error) =>
        this.logger.warn({ queue, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 'job failed'),
    });
    const served = [...new Set(this.handlers.map((h) => h.queue))];
    // docs/decisions/0024: the served queues' job counts, read from Redis when /metrics is scraped.
    const connection = this.connection;
    this.measured = served.map((name) => {
      const queue = new Queue(name, { connection, prefix: this.config.QUEUE_PREFIX });
      return { queue, stop: measureQueue(name, () => queue.getJobCounts('waiting', 'active', 'failed', 'delayed')) };
    });
    this.logger.log(`serving queues: ${served.join(', ')}`);
  }

  /** Running jobs finish first, while the database and the other connections are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const m of this.measured) m.stop();
    await Promise.all(this.measured.map((m) => m.queue.close()));
    await Promise.all(this.workers.map((w) => w.close()));
    if (this.connection) await this.connection.quit().catch(() => this.connection?.disconnect());
  }
}

/** A job handler as a Nest provider, so it gets its repositories by injection. */
export interface JobProcessor<Q extends QueueName = QueueName> {
  readonly queue: Q;
  readonly type: JobType<Q>;
  handle(job: JobOf<Q>, ctx: JobContext): Promise<void>;
}

export interface WorkerModuleOptions {
  imports?: ModuleMetadata['imports'];
  processors: Type<JobProcessor>[];
}

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: options.imports ?? [],
      providers: [
        ...options.processors,
        {
          provide: JOB_HANDLERS,
          inject: options.processors,
          useFactory: (...processors: JobProcessor[]): HandlerRegistration[] =>
            processors.map((p) => ({ queue: p.queue, type: p.type, handle: (job, ctx) => p.handle(job, ctx) })),
        },
        WorkerHost,
        MetricsListener,
      ],
    };
  }
}

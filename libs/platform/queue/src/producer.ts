import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JobOf, QueueName } from './queues';

/** Default retry policy: handlers mark what is retryable; BullMQ backs off exponentially. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** BullMQ refuses ':' in custom job ids (it separates its own key parts); keys like `run:<id>` map 1:1. */
export function jobIdOf(idempotencyKey: string): string {
  return idempotencyKey.replace(/:/g, '_');
}

export class QueueProducer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  private queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      this.queues.set(name, q);
    }
    return q;
  }

  /** The idempotency key is the job id, so enqueuing the same job twice yields one job. */
  async enqueue<Q extends QueueName>(name: Q, job: JobOf<Q>, options: JobsOptions = {}): Promise<void> {
    await this.queue(name).add(job.type, job, { ...options, jobId: jobIdOf(job.idempotencyKey) });
  }

  /** Jobs waiting, active, failed and delayed in one queue (the /metrics gauge, decision 0024). */
  async jobCounts(name: QueueName): Promise<Record<string, number>> {
    return this.queue(name).getJobCounts('waiting', 'active', 'failed', 'delayed');
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

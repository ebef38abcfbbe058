import { Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_TYPES, JobOf, JobType, QueueName } from './queues';

export interface JobContext {
  attempt: number;
  jobId: string;
}

export type JobHandler<Q extends QueueName> = (job: JobOf<Q>, ctx: JobContext) => Promise<void>;

export interface HandlerRegistration<Q extends QueueName = QueueName> {
  queue: Q;
  type: JobType<Q>;
  handle: JobHandler<Q>;
}

/** A handler throws this for a failure that no retry can fix (invalid number, missing row...). */
export class PermanentJobError extends UnrecoverableError {}

export class WorkerBootError extends Error {}

/**
 * Checks, before any worker starts, that every job type of each served queue has exactly one
 * handler: a missing or doubled handler is a deploy mistake and the process must not start.
 */
export function indexHandlers(registrations: HandlerRegistration[]): Map<QueueName, Map<string, HandlerRegistration>> {
  const byQueue = new Map<QueueName, Map<string, HandlerRegistration>>();
  const problems: string[] = [];
  for (const r of registrations) {
    const types = byQueue.get(r.queue) ?? new Map<string, HandlerRegistration>();
    if (!(JOB_TYPES[r.queue] as readonly string[]).includes(r.type)) {
      problems.push(`${r.queue}: "${r.type}" is not a job type of this queue`);
    }
    if (types.has(r.type)) problems.push(`${r.queue}: two handlers for "${r.type}"`);
    types.set(r.type, r);
    byQueue.set(r.queue, types);
  }
  for (const [queue, types] of byQueue) {
    for (const t of JOB_TYPES[queue]) if (!types.has(t)) problems.push(`${queue}: no handler for "${t}"`);
  }
  if (problems.length) throw new WorkerBootError(`Worker cannot start:\n  - ${problems.join('\n  - ')}`);
  return byQueue;
}

export interface WorkerRuntimeOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  onFailed?: (queue: QueueName, job: Job | undefined, error: Error) => void;
}

export function startWorkers(registrations: HandlerRegistration[], options: WorkerRuntimeOptions): Worker[] {
  const byQueue = indexHandlers(registrations);
  return [...byQueue].map(([queue, handlers]) => {
    const worker = new Worker(
      queue,
      async (job: Job) => {
        const handler = handlers.get(job.name);
        if (!handler) throw new PermanentJobError(`no handler for job type ${job.name}`);
        await handler.handle(job.data as never, { attempt: job.attemptsMade + 1, jobId: job.id ?? '' });
      },
      { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency, autorun: true },
    );
    worker.on('failed', (job, error) => options.onFailed?.(queue, job, error));
    return worker;
  });
}

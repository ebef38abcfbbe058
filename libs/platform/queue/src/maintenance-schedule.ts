import type { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from './redis';

export interface MaintenanceSchedule {
  close(): Promise<void>;
}

/**
 * A platform maintenance job (no tenant) on its own queue, as a BullMQ job scheduler with a fixed id:
 * every worker process of the app upserts the same schedule, BullMQ makes one job per period, and one
 * worker runs it (decision 0022). Used by the partition job and the retention purge (reporting worker)
 * and the tenant deletion (billing worker).
 */
export async function scheduleMaintenance(options: {
  redisUrl: string;
  prefix: string;
  queue: string;
  schedulerId: string;
  every: number;
  run: () => Promise<unknown>;
  logger: Logger;
}): Promise<MaintenanceSchedule> {
  const connection: Redis = createRedis(options.redisUrl, 'worker', `twofold-${options.schedulerId}`);
  const settings = { connection, prefix: options.prefix };
  const queue = new Queue(options.queue, settings);
  await queue.upsertJobScheduler(
    options.schedulerId,
    { every: options.every },
    { name: 'run', data: {}, opts: { removeOnComplete: 50, removeOnFail: 50, attempts: 3 } },
  );
  const worker = new Worker(options.queue, () => options.run(), { ...settings, concurrency: 1 });
  worker.on('failed', (job, error) =>
    options.logger.error({ jobId: job?.id, err: error.message }, `${options.schedulerId} maintenance failed`),
  );
  return {
    async close() {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

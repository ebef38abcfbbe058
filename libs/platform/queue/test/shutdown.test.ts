import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule, DbService } from '@twofold/platform/db';
import { createTestDatabase, TestDatabase } from '@twofold/platform/testing';
import { JobOf, JobProcessor, WorkerModule } from '../src';

const events: string[] = [];
let release: () => void = () => undefined;

/** A job that is still running when shutdown starts, and needs the database to finish. */
@Injectable()
class SlowProcessor implements JobProcessor<'delivery.sms'> {
  readonly queue = 'delivery.sms' as const;
  readonly type = 'delivery.sms.send' as const;
  constructor(private readonly db: DbService) {}

  async handle(_job: JobOf<'delivery.sms'>): Promise<void> {
    events.push('started');
    await new Promise<void>((resolve) => (release = resolve));
    const rows = await this.db.query<{ ok: number }>('SELECT 1 AS ok');
    events.push(rows[0]?.ok === 1 ? 'database still open' : 'no row');
  }
}

describe('worker shutdown order', () => {
  let db: TestDatabase;
  const prefix = `{test-shutdown-${process.pid}}`;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('a job running at shutdown finishes with the database still open, before the pool closes', async () => {
    const config = {
      DATABASE_URL: db.appUrl,
      DATABASE_POOL_SIZE: 2,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: 1,
    };
    @Module({
      imports: [AppConfigModule.forRoot(config), DbModule, WorkerModule.forRoot({ processors: [SlowProcessor] })],
    })
    class TestWorkerApp {}
    const app = await NestFactory.createApplicationContext(TestWorkerApp, { logger: false });
    await app.init();

    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('delivery.sms', { connection: redis, prefix });
    try {
      await queue.add('delivery.sms.send', { type: 'delivery.sms.send' } as never, { jobId: 'shutdown-1' });
      for (let i = 0; i < 100 && !events.includes('started'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(events).toEqual(['started']);

      const closing = app.close();
      // Shutdown has begun (workers are draining); the job now needs the database.
      await new Promise((r) => setTimeout(r, 200));
      release();
      await closing;
      expect(events).toEqual(['started', 'database still open']);
      expect(await (await queue.getJob('shutdown-1'))?.isCompleted()).toBe(true);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
    }
  });
});

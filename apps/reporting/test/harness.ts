import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import request from 'supertest';
import { createHttpApp } from '@twofold/platform/http';
import { adminQuery, createTestDatabase, TestDatabase } from '@twofold/platform/testing';
import { apiKeyDisplayPrefix, formatApiKey, hashApiKey } from '@twofold/tenancy/domain';
import { AppModule } from '../src/app.module';
import { loadHttpConfig, loadWorkerConfig } from '../src/config';
import { AppWorkerModule } from '../src/worker.module';

export interface ReportingHarness {
  app: NestFastifyApplication;
  /** Null when started with `worker: false` (exports then stay queued). */
  worker: INestApplicationContext | null;
  db: TestDatabase;
  exportDir: string;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The real reporting app and its real worker (BullMQ on Redis) on a database of their own. */
export async function startReporting(
  options: { env?: Record<string, string>; worker?: boolean } = {},
): Promise<ReportingHarness> {
  const db = await createTestDatabase();
  const exportDir = mkdtempSync(join(tmpdir(), 'twofold-exports-'));
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `{test-${db.name}}`,
    EXPORT_DIR: exportDir,
    EXPORT_RETENTION_HOURS: '1',
    ...options.env,
  };
  const config = loadHttpConfig(env);
  const app = await createHttpApp(AppModule.forRoot(config), config, { title: 'reporting', description: 'test' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  let worker: INestApplicationContext | null = null;
  if (options.worker !== false) {
    worker = await NestFactory.createApplicationContext(AppWorkerModule.forRoot(loadWorkerConfig(env)), {
      logger: false,
    });
    await worker.init();
  }
  return {
    app,
    worker,
    db,
    exportDir,
    http: () => request(app.getHttpServer()),
    async close() {
      await worker?.close();
      await app.close();
      await db.drop();
      rmSync(exportDir, { recursive: true, force: true });
    },
  };
}

export interface SeededTenant {
  id: string;
  apiKey: string;
  providerId: string;
}

/** A tenant with an API key and a provider, written directly as the owner (the admin API is another app). */
export async function seedTenant(h: ReportingHarness, name: string, region = 'us'): Promise<SeededTenant> {
  const id = randomUUID();
  const providerId = randomUUID();
  const apiKey = formatApiKey(randomBytes(32));
  await adminQuery(h.db, `INSERT INTO tenants (id, name, data_region, updated_at) VALUES ($1, $2, $3, now())`, [
    id,
    name,
    region,
  ]);
  await adminQuery(
    h.db,
    `INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash) VALUES ($1, gen_random_uuid(), 'k', $2, $3)`,
    [id, apiKeyDisplayPrefix(apiKey), hashApiKey(apiKey)],
  );
  await adminQuery(
    h.db,
    `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, updated_at) VALUES ($1, $2, 'P', 'per_authentication', $1, now())`,
    [id, providerId],
  );
  return { id, apiKey, providerId };
}

export interface RecordSeed {
  at: Date;
  userName: string;
  method?: string;
  result?: 'success' | 'deny';
  denyReason?: string | null;
  phone?: string | null;
  clientIp?: string | null;
}

/** Authentication records and their usage rows, as the authentication engine writes them. */
export async function seedRecords(
  h: ReportingHarness,
  t: SeededTenant,
  region: string,
  rows: RecordSeed[],
): Promise<void> {
  for (const r of rows) {
    const authId = randomUUID();
    await adminQuery(
      h.db,
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id, method, mode, result, deny_reason, phone, client_ip, data_region, correlation_id)
       VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6::auth_method, $6, $7::authentication_result, $8, $9, $10, $11::data_region, 'corr')`,
      [
        t.id,
        r.at,
        authId,
        t.providerId,
        r.userName,
        r.method ?? 'sms',
        r.result ?? 'success',
        r.denyReason ?? null,
        r.phone ?? null,
        r.clientIp ?? null,
        region,
      ],
    );
    await adminQuery(
      h.db,
      `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id, quantity, occurred_at)
       VALUES ($1, gen_random_uuid(), $2, 'authentication', $3, date_trunc('month', $4::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $5, 1, $4)`,
      [t.id, t.providerId, `authentication:${authId}`, r.at, authId],
    );
  }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * Two reporting workers with the same maintenance schedule (decision 0022): BullMQ holds one job
 * scheduler for `queueName`, and its job runs (at least once, none failed) within 15 s.
 */
export async function expectScheduledOnceAcrossWorkers(queueName: string, env: Record<string, string>): Promise<void> {
  const first = await startReporting({ env });
  const second = await startReporting({ env });
  const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: 6379 }, prefix: env.QUEUE_PREFIX });
  try {
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const deadline = Date.now() + 15_000;
    while ((await queue.getCompletedCount()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await queue.getCompletedCount()).toBeGreaterThanOrEqual(1);
    expect(await queue.getFailedCount()).toBe(0);
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await second.close();
    await first.close();
  }
}

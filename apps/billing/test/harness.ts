import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { Clock } from '@twofold/platform/db';
import { createHttpApp } from '@twofold/platform/http';
import { adminQuery, createTestDatabase, FakeStripe, startFakeStripe, TestDatabase } from '@twofold/platform/testing';
import { formatApiKey, hashApiKey } from '@twofold/tenancy/domain';
import { AppModule } from '../src/app.module';
import { loadHttpConfig, loadWorkerConfig } from '../src/config';
import { BillingLoop } from '../src/usage/billing-loop';

export const WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;
export const STRIPE_KEY = 'sk_test_twofoldbilling';

export interface BillingHarness {
  app: NestFastifyApplication;
  worker: INestApplicationContext;
  loop: BillingLoop;
  db: TestDatabase;
  stripe: FakeStripe;
  http: () => ReturnType<typeof request>;
  /** Environment for a billing worker process of this test (fault test). */
  env: Record<string, string>;
  /** Moves the injected clock of the app, the worker and the fake Stripe (undefined = real time). */
  setNow(at: Date | undefined): void;
  sql<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The billing HTTP app and a billing worker context (loop off: tests call pass()) on a fresh database. */
export async function startBilling(
  options: {
    batchSize?: number;
    stripeTimeoutMs?: number;
    /** Both processes' environment on top of the defaults. */
    env?: Record<string, string>;
    /** The worker's only. */
    workerEnv?: Record<string, string>;
  } = {},
): Promise<BillingHarness> {
  const db = await createTestDatabase();
  const stripe = await startFakeStripe();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `{test-${db.name}}`,
    STRIPE_API_BASE_URL: stripe.url,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_TIMEOUT_MS: String(options.stripeTimeoutMs ?? 3_000),
    BILLING_BATCH_SIZE: String(options.batchSize ?? 200),
    ...options.env,
  };
  const httpConfig = loadHttpConfig(env);
  const app = await createHttpApp(AppModule.forRoot(httpConfig), httpConfig, { title: 'billing', description: 'test' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const { AppWorkerModule } = await import('../src/worker.module');
  const worker = await NestFactory.createApplicationContext(
    // Loop and scheduled tenant deletion off: tests call pass() and TenantDeletion.run().
    AppWorkerModule.forRoot(
      loadWorkerConfig({ ...env, BILLING_LOOP_INTERVAL_MS: '0', TENANT_DELETION_EVERY_MS: '0', ...options.workerEnv }),
    ),
    { logger: false },
  );
  await worker.init();
  const clocks = [app.get(Clock), worker.get(Clock)];
  return {
    app,
    worker,
    loop: worker.get(BillingLoop),
    db,
    stripe,
    env,
    http: () => request(app.getHttpServer()),
    setNow(at) {
      for (const c of clocks) c.now = at ? () => new Date(at) : () => new Date();
      stripe.now = at ? () => Math.floor(at.getTime() / 1000) : () => Math.floor(Date.now() / 1000);
    },
    sql: (text, params) => adminQuery(db, text, params),
    async close() {
      await app.close();
      await worker.close();
      await stripe.stop();
      await db.drop();
    },
  };
}

export interface TenantFixture {
  id: string;
  apiKey: string;
}

/** A tenant with an API key, written as the owner (the billing app has no tenant endpoints). */
export async function createTenant(h: BillingHarness, tier: 'free' | 'standard' = 'standard'): Promise<TenantFixture> {
  const id = randomUUID();
  const apiKey = formatApiKey(randomBytes(32));
  await h.sql(`INSERT INTO tenants (id, name, data_region, tier, updated_at) VALUES ($1, $2, 'us', $3, now())`, [
    id,
    `Tenant ${id.slice(0, 8)}`,
    tier,
  ]);
  await h.sql(
    `INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash) VALUES ($1, gen_random_uuid(), 'test', $2, $3)`,
    [id, apiKey.slice(0, 12), hashApiKey(apiKey)],
  );
  return { id, apiKey };
}

export async function createProvider(
  h: BillingHarness,
  tenant: TenantFixture,
  billingModel: 'per_user' | 'per_authentication',
  options: { linked?: boolean; createdAt?: Date } = {},
): Promise<string> {
  const id = randomUUID();
  await h.sql(
    `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())`,
    [
      tenant.id,
      id,
      `${billingModel} provider`,
      billingModel,
      options.linked === false ? null : tenant.id,
      options.createdAt ?? new Date(),
    ],
  );
  return id;
}

/** What `count` authentications write into the usage outbox (UsageOutboxSqlRepository.attachAuthentication). */
export async function insertAuthenticationUsage(
  h: BillingHarness,
  tenantId: string,
  providerId: string,
  count: number,
  at = new Date(),
): Promise<void> {
  await h.sql(
    `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id, quantity, occurred_at)
     SELECT $1, gen_random_uuid(), $2, 'authentication', 'authentication:' || a.id, date_trunc('month', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', a.id, 1, $3
       FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $4::int)) a`,
    [tenantId, providerId, at, count],
  );
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Runs billing passes until nothing is pending (or `max` passes). */
export async function drain(h: BillingHarness, max = 50): Promise<number> {
  for (let i = 0; i < max; i++) {
    await h.loop.pass();
    const [row] = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM usage_ledger WHERE reported_at IS NULL AND skipped_reason IS NULL`,
    );
    if (row?.n === 0) return i + 1;
  }
  throw new Error('usage still pending after drain');
}

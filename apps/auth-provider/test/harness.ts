import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from '@twofold/platform/testing';
import { createHttpApp } from '@twofold/platform/http';
import { AppModule } from '../src/app.module';
import { loadAuthProviderConfig } from '../src/config';
import { OPENAPI } from '../src/openapi';

export const OPERATOR_KEY = `op_${randomBytes(24).toString('hex')}`;

export interface Harness {
  app: NestFastifyApplication;
  db: TestDatabase;
  /** BullMQ prefix of this test file's queues (jobs the app enqueued can be read there). */
  queuePrefix: string;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The real auth-provider app on a fresh database of its own, with real Redis; no listener needed. */
export async function startAuthProvider(overrides: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const config = loadAuthProviderConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `{test-${db.name}}`,
    AUTH_SWEEP_INTERVAL_SECONDS: '0',
    // Tests speak plain HTTP in-process; R28 has its own test with this on.
    SERVER_HTTPS_ONLY: 'false',
    // The start context's tenant cache is dropped by a notification, a few ms after COMMIT: a test that
    // changes a setting and starts at once would race it. tenant-settings-cache.test.ts turns it on.
    TENANT_SETTINGS_CACHE_MS: '0',
    ...overrides,
    OPERATOR_API_KEY: OPERATOR_KEY,
  });
  const app = await createHttpApp(AppModule.forRoot(config), config, OPENAPI);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    db,
    queuePrefix: `{test-${db.name}}`,
    http: () => request(app.getHttpServer()),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export interface TenantFixture {
  id: string;
  name: string;
  apiKey: string;
}

export async function createTenant(h: Harness, name = 'Contoso', dataRegion = 'us'): Promise<TenantFixture> {
  const res = await h
    .http()
    .post('/v1/tenants')
    .set('authorization', `Bearer ${OPERATOR_KEY}`)
    .send({ name, dataRegion });
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, name, apiKey: res.body.apiKey as string };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** R4: a sales-led pool of seats, made by the platform operator for the tenant (decision 0018). */
export async function createPool(
  h: Harness,
  tenant: TenantFixture,
  seats: number,
  term: { termStart: string; termEnd: string } = { termStart: '2026-01-01T00:00:00Z', termEnd: '2099-01-01T00:00:00Z' },
  name?: string,
): Promise<{ id: string; seats: number; assigned: number; [k: string]: unknown }> {
  const res = await h
    .http()
    .post('/v1/license-pools')
    .set(bearer(OPERATOR_KEY))
    .send({ tenantId: tenant.id, seats, ...term, ...(name ? { name } : {}) });
  if (res.status !== 201) throw new Error(`pool creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Asserts the R29 error body. */
export function expectError(res: request.Response, status: number, code: string): void {
  if (res.status !== status || res.body?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  expect(typeof res.body.message).toBe('string');
  expect(res.body.message.length).toBeGreaterThan(0);
  expect(typeof res.body.correlationId).toBe('string');
  expect(res.headers['x-correlation-id']).toBe(res.body.correlationId);
}

export interface UserFixture {
  id: string;
  userName: string;
}

/** A user of tenant `t`, created through the users API. */
export async function createUser(
  h: Harness,
  t: TenantFixture,
  body: { userName?: string; phoneNumber?: string; email?: string; mfaEnabled?: boolean } = {},
): Promise<UserFixture> {
  const userName = body.userName ?? `user-${randomBytes(4).toString('hex')}@contoso.example`;
  const res = await h
    .http()
    .post('/v1/users')
    .set(bearer(t.apiKey))
    .send({ ...body, userName });
  if (res.status !== 201) throw new Error(`user creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, userName };
}

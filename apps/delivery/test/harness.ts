import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Redis } from 'ioredis';
import { parseKeyList, SecretBox } from '@twofold/platform/crypto';
import { DEV_SECRETS_ACTIVE_KEY_ID, DEV_SECRETS_KEYS } from '@twofold/platform/config';
import { createHttpApp } from '@twofold/platform/http';
import { createRedis, QueueProducer } from '@twofold/platform/queue';
import { adminQuery, createTestDatabase, FakeTwilio, TestDatabase } from '@twofold/platform/testing';
import { AppModule } from '../src/app.module';
import { loadHttpConfig, loadWorkerConfig } from '../src/config';
import { AppWorkerModule } from '../src/worker.module';
import { codeAad } from '@twofold/secrets/contracts';

export const OPERATOR_KEY = `op_${randomBytes(24).toString('hex')}`;
export const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
export const AUTH_TOKEN = randomBytes(16).toString('hex');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface DeliveryHarness {
  app: NestFastifyApplication;
  worker: INestApplicationContext;
  db: TestDatabase;
  twilio: FakeTwilio;
  publicBaseUrl: string;
  producer: QueueProducer;
  redis: Redis;
  queuePrefix: string;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real delivery app (HTTP, listening: the fake Twilio posts callbacks to it) and its real
 * BullMQ worker in-process, on a fresh database, real Redis and the fake Twilio on a random port.
 */
export async function startDelivery(env: Record<string, string> = {}): Promise<DeliveryHarness> {
  const db = await createTestDatabase();
  const twilio = await FakeTwilio.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const queuePrefix = `{test-${db.name}}`;
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    TWILIO_API_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_VOICE_FROM: '+12025550199',
    ...env,
  };
  // The public URL must be known before the app listens: take a free port first.
  const port = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const config = loadHttpConfig({
    ...common,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPERATOR_API_KEY: OPERATOR_KEY,
    PUBLIC_BASE_URL: publicBaseUrl,
  });
  const app = await createHttpApp(AppModule.forRoot(config), config, { title: 'delivery', description: 'test' });
  await app.listen({ port, host: '127.0.0.1' });
  const workerConfig = loadWorkerConfig({ WORKER_CONCURRENCY: '16', ...common, PUBLIC_BASE_URL: publicBaseUrl });
  const worker = await NestFactory.createApplicationContext(AppWorkerModule.forRoot(workerConfig), { logger: false });
  await worker.init();
  const redis = createRedis(REDIS_URL, 'worker', 'delivery-test');
  const producer = new QueueProducer(redis, queuePrefix);
  return {
    app,
    worker,
    db,
    twilio,
    publicBaseUrl,
    producer,
    redis,
    queuePrefix,
    http: () => request(app.getHttpServer()),
    async close() {
      await producer.close();
      await worker.close();
      // No carrier callback may be in flight when the app closes: a request that ends after close()
      // began leaves its keep-alive socket open, and close() then waits for that socket's keep-alive
      // timeout (72 s), longer than the hook's 30 s.
      await twilio.settle();
      await app.close();
      await twilio.close();
      await redis.quit();
      await db.drop();
    },
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const box = new SecretBox(parseKeyList(DEV_SECRETS_KEYS).keys, DEV_SECRETS_ACTIVE_KEY_ID);

export async function createTenant(
  h: DeliveryHarness,
  settings: { smsFallbackToVoice?: boolean; smsTemplate?: string | null; deliveryCountries?: string[] } = {},
): Promise<string> {
  const id = randomUUID();
  await adminQuery(
    h.db,
    `INSERT INTO tenants (id, name, data_region, updated_at, sms_fallback_to_voice, sms_template, delivery_countries)
     VALUES ($1, 'Contoso', 'us', now(), $2, $3, coalesce($4::text[], ARRAY['US', 'CA']))`,
    [id, settings.smsFallbackToVoice ?? false, settings.smsTemplate ?? null, settings.deliveryCountries ?? null],
  );
  return id;
}

export interface QueuedMessage {
  messageId: string;
  authenticationId: string;
  code: string;
}

/** What the authentication engine does: a `queued` message row, then the job with the code sealed. */
export async function queueMessage(
  h: DeliveryHarness,
  tenantId: string,
  phone: string,
  channel: 'sms' | 'voice' = 'sms',
  opts: { callerId?: string | null; code?: string; authenticationId?: string } = {},
): Promise<QueuedMessage> {
  const messageId = randomUUID();
  const authenticationId = opts.authenticationId ?? randomUUID();
  const code = opts.code ?? String(100000 + Math.floor(Math.random() * 900000));
  await adminQuery(
    h.db,
    `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, channel, status, to_phone, country, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'queued', $6, 'ZZ', now())`,
    [tenantId, messageId, authenticationId, randomUUID(), channel, phone],
  );
  const sealed = box.seal(Buffer.from(code, 'utf8'), codeAad(tenantId, messageId));
  const base = {
    tenantId,
    idempotencyKey: messageId,
    authenticationId,
    messageId,
    code: { keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64') },
  };
  if (channel === 'sms') await h.producer.enqueue('delivery.sms', { type: 'delivery.sms.send', ...base });
  else
    await h.producer.enqueue('delivery.voice', {
      type: 'delivery.voice.call',
      ...base,
      callerId: opts.callerId ?? null,
    });
  return { messageId, authenticationId, code };
}

export interface MessageRow {
  status: string;
  sender: string | null;
  sender_kind: string | null;
  twilio_sid: string | null;
  error_code: string | null;
  error_message: string | null;
}

export async function messageRow(h: DeliveryHarness, id: string): Promise<MessageRow> {
  const [row] = await adminQuery<MessageRow>(
    h.db,
    'SELECT status::text, sender, sender_kind::text, twilio_sid, error_code, error_message FROM messages WHERE id = $1',
    [id],
  );
  return row;
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const untilStatus = (h: DeliveryHarness, id: string, statuses: string[], timeoutMs?: number) =>
  until(async () => {
    const row = await messageRow(h, id);
    return statuses.includes(row.status) ? row : undefined;
  }, timeoutMs);

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

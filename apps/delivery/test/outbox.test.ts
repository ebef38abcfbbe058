import { randomUUID } from 'node:crypto';
import { DEV_SECRETS_ACTIVE_KEY_ID, DEV_SECRETS_KEYS } from '@twofold/platform/config';
import { parseKeyList, SecretBox } from '@twofold/platform/crypto';
import { QueueProducer } from '@twofold/platform/queue';
import { adminQuery } from '@twofold/platform/testing';
import { createTenant, DeliveryHarness, queueMessage, startDelivery, until, untilStatus } from './harness';
import { codeAad } from '@twofold/secrets/contracts';

/**
 * The delivery outbox (docs/decisions/0019): a `queued` message row holds its sealed code, and the
 * worker's sweeper enqueues it when nobody else did: the authentication engine's enqueue after
 * commit failed, or the worker's own voice fallback enqueue did.
 */
const box = new SecretBox(parseKeyList(DEV_SECRETS_KEYS).keys, DEV_SECRETS_ACTIVE_KEY_ID);

let h: DeliveryHarness;

beforeAll(async () => {
  h = await startDelivery({ DELIVERY_SWEEP_INTERVAL_SECONDS: '1', DELIVERY_SWEEP_AFTER_SECONDS: '1' });
});
afterAll(async () => {
  await h?.close();
});

/**
 * A provider and a pending authentication (what the engine writes before a message); with caller
 * IDs (R23), the provider's and, when given, an MFA server's that started the authentication.
 */
async function pendingAuthentication(
  tenantId: string,
  status = 'pending',
  callerIds: { provider?: string; server?: string } = {},
): Promise<string> {
  const providerId = randomUUID();
  const serverId = callerIds.server ? randomUUID() : null;
  const id = randomUUID();
  await adminQuery(
    h.db,
    `INSERT INTO providers (tenant_id, id, name, billing_model, voice_caller_id, updated_at)
     VALUES ($1, $2, 'P', 'per_authentication', $3, now())`,
    [tenantId, providerId, callerIds.provider ?? null],
  );
  if (serverId)
    await adminQuery(
      h.db,
      `INSERT INTO mfa_servers (tenant_id, id, provider_id, name, voice_caller_id, credential_hash, updated_at)
       VALUES ($1, $2, $3, 'S', $4, $5, now())`,
      [tenantId, serverId, providerId, callerIds.server, randomUUID()],
    );
  await adminQuery(
    h.db,
    `INSERT INTO authentications (tenant_id, id, provider_id, server_id, user_name, method, status, expires_at,
       correlation_id, updated_at, completed_at)
     VALUES ($1, $2, $3, $5, 'alice', 'sms', $4::authentication_status, now() + interval '3 minutes', 'c', now(),
       CASE WHEN $4 = 'pending' THEN NULL ELSE now() END)`,
    [tenantId, id, providerId, status, serverId],
  );
  return id;
}

/** A queued message row with its sealed code, as the engine writes it, and no job. */
async function outboxRow(tenantId: string, authenticationId: string, phone: string, code: string): Promise<string> {
  const id = randomUUID();
  const sealed = box.seal(Buffer.from(code, 'utf8'), codeAad(tenantId, id));
  await adminQuery(
    h.db,
    `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, channel, status, to_phone, country,
       code_key_id, code_ciphertext, updated_at, created_at)
     VALUES ($1, $2, $3, (SELECT provider_id FROM authentications WHERE tenant_id = $1 AND id = $3), 'sms', 'queued',
       $4, 'US', $5, $6, now(), now() - interval '5 seconds')`,
    [tenantId, id, authenticationId, phone, sealed.keyId, sealed.ciphertext],
  );
  return id;
}

const requestsTo = (to: string) => h.twilio.requests.filter((r) => r.params.To === to);

it('a queued message whose job never reached Redis is sent by the sweeper, once, with its code', async () => {
  const tenantId = await createTenant(h);
  const authenticationId = await pendingAuthentication(tenantId);
  const phone = '+12125550190';
  await outboxRow(tenantId, authenticationId, phone, '481516');
  const sms = await until(async () => requestsTo(phone)[0], 15_000);
  expect(sms.params.Body).toContain('481516');
  await new Promise((r) => setTimeout(r, 2_500)); // more sweeper rounds
  expect(requestsTo(phone)).toHaveLength(1);
});

it('a message of an ended authentication is not sent, and its sealed code is cleared', async () => {
  const tenantId = await createTenant(h);
  const authenticationId = await pendingAuthentication(tenantId, 'succeeded');
  const phone = '+12125550191';
  const id = await outboxRow(tenantId, authenticationId, phone, '623342');
  await until(
    async () =>
      (
        await adminQuery<{ cleared: boolean }>(
          h.db,
          'SELECT code_ciphertext IS NULL AS cleared FROM messages WHERE id = $1',
          [id],
        )
      )[0]?.cleared,
    15_000,
  );
  expect(requestsTo(phone)).toHaveLength(0);
});

it('a voice fallback whose enqueue failed is placed by the sweeper, once, with the same code and R23 caller ID', async () => {
  const tenantId = await createTenant(h, { smsFallbackToVoice: true });
  // R23: the provider's caller ID is what a voice start of this provider shows; the fallback too.
  const authenticationId = await pendingAuthentication(tenantId, 'pending', { provider: '+14155550101' });
  const phone = '+12125550192';
  h.twilio.failTo(phone, 'unsubscribed', 1);
  const producer = h.worker.get(QueueProducer, { strict: false });
  const enqueue = producer.enqueue.bind(producer);
  const spy = jest.spyOn(producer, 'enqueue').mockImplementation(async (queue, job, options) => {
    if (
      queue === 'delivery.voice' &&
      (job as { authenticationId?: string }).authenticationId === authenticationId &&
      spy.mock.calls.length === 1
    ) {
      throw new Error('Redis went away');
    }
    return enqueue(queue, job, options);
  });
  try {
    await queueMessage(h, tenantId, phone, 'sms', { authenticationId, code: '357911' });
    const call = await until(async () => requestsTo(phone).find((r) => r.kind === 'call'), 15_000);
    expect(call.params.Twiml).toContain('3, 5, 7, 9, 1, 1');
    expect(call.params.From).toBe('+14155550101');
    expect(spy.mock.calls.some(([queue]) => queue === 'delivery.voice')).toBe(true);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(requestsTo(phone).filter((r) => r.kind === 'call')).toHaveLength(1);
  } finally {
    spy.mockRestore();
  }
});

describe('a carrier report of an undelivered SMS (status callback) falls back to voice', () => {
  const calls = (phone: string) => requestsTo(phone).filter((r) => r.kind === 'call');
  const smsOf = async (phone: string) =>
    until(async () => requestsTo(phone).find((r) => r.kind === 'message' && r.sid !== null), 15_000);
  const messagesOf = (authenticationId: string) =>
    adminQuery<{ channel: string; status: string }>(
      h.db,
      'SELECT channel::text, status::text FROM messages WHERE authentication_id = $1 ORDER BY created_at, id',
      [authenticationId],
    );

  it('30006 (landline): one call with the same code and R23 caller ID, however often the report comes', async () => {
    const tenantId = await createTenant(h, { smsFallbackToVoice: true });
    // R23: the MFA server's caller ID overrides its provider's, as at a voice start.
    const authenticationId = await pendingAuthentication(tenantId, 'pending', {
      provider: '+14155550101',
      server: '+14155550102',
    });
    const phone = '+12125550193';
    h.twilio.outcomeFor(phone, { status: 'undelivered', errorCode: '30006' });
    const smsId = await outboxRow(tenantId, authenticationId, phone, '864209');
    const call = await until(async () => calls(phone)[0], 15_000);
    expect(call.params.Twiml).toContain('8, 6, 4, 2, 0, 9');
    expect(call.params.From).toBe('+14155550102');
    // The carrier repeats its report: no second call.
    const sms = await smsOf(phone);
    const report = { MessageSid: sms.sid as string, MessageStatus: 'undelivered', ErrorCode: '30006' };
    const url = `${h.publicBaseUrl}/v1/twilio/status?t=${tenantId}&m=${smsId}`;
    expect(await h.twilio.postCallback(url, report)).toBe(204);
    expect(await h.twilio.postCallback(url, { ...report, MessageStatus: 'failed' })).toBe(204);
    await new Promise((r) => setTimeout(r, 2_500)); // sweeper rounds too
    expect(calls(phone)).toHaveLength(1);
    expect((await messagesOf(authenticationId)).map((m) => m.channel)).toEqual(['sms', 'voice']);
  });

  it('no call: a tenant without the fallback, a filtering verdict (30007), or a sign-in that is over', async () => {
    const plain = await createTenant(h);
    const withFallback = await createTenant(h, { smsFallbackToVoice: true });
    const cases = [
      { tenantId: plain, phone: '+12125550194', errorCode: '30006', end: false },
      { tenantId: withFallback, phone: '+12125550195', errorCode: '30007', end: false },
      { tenantId: withFallback, phone: '+12125550196', errorCode: '30003', end: true },
    ];
    const ids: string[] = [];
    for (const c of cases) {
      const authenticationId = await pendingAuthentication(c.tenantId);
      ids.push(authenticationId);
      h.twilio.outcomeFor(c.phone, { status: 'none' });
      const smsId = await outboxRow(c.tenantId, authenticationId, c.phone, '111111');
      const sms = await smsOf(c.phone);
      await untilStatus(h, smsId, ['sent']);
      if (c.end)
        await adminQuery(
          h.db,
          `UPDATE authentications SET status = 'succeeded', completed_at = now() WHERE tenant_id = $1 AND id = $2`,
          [c.tenantId, authenticationId],
        );
      const url = `${h.publicBaseUrl}/v1/twilio/status?t=${c.tenantId}&m=${smsId}`;
      expect(
        await h.twilio.postCallback(url, {
          MessageSid: sms.sid as string,
          MessageStatus: 'undelivered',
          ErrorCode: c.errorCode,
        }),
      ).toBe(204);
    }
    await new Promise((r) => setTimeout(r, 2_500));
    for (const c of cases) expect(calls(c.phone)).toHaveLength(0);
    for (const id of ids) expect((await messagesOf(id)).map((m) => m.status)).toEqual(['undelivered']);
  });
});

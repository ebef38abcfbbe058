import { adminQuery } from '@twofold/platform/testing';
import {
  bearer,
  createTenant,
  DeliveryHarness,
  messageRow,
  OPERATOR_KEY,
  queueMessage,
  startDelivery,
  until,
  untilStatus,
} from './harness';

const US_CODES = ['51789', '69829', '97671', '99399'];
const CA_CODES = ['673801', '759731'];
const US_PHONE = '+12125550123';
const CA_PHONE = '+14165550123';
const JAMAICA_PHONE = '+18762345678';
const UK_MOBILE = '+447400123456';
const US_PREMIUM = '+19005550123';
const UK_PREMIUM = '+448712345678';
const TOLL_FREE = '+18002345678';

let h: DeliveryHarness;
let tenantId: string;

beforeAll(async () => {
  h = await startDelivery();
  // The countries these tests send to (a tenant allows US and CA unless it says more, docs/decisions/0019).
  tenantId = await createTenant(h, { deliveryCountries: ['US', 'CA', 'JM', 'GB'] });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => h.twilio.reset());

const requestsTo = (to: string) => h.twilio.requests.filter((r) => r.params.To === to);
const operator = bearer(OPERATOR_KEY);

describe('routing (R21, R22)', () => {
  it('R21: a US number gets an SMS from the US short-code pool, To in E.164, then delivered by callback', async () => {
    const m = await queueMessage(h, tenantId, US_PHONE);
    const row = await untilStatus(h, m.messageId, ['delivered']);
    const [req] = requestsTo(US_PHONE);
    expect(US_CODES).toContain(req.params.From);
    expect(req.params.To).toBe(US_PHONE);
    expect(req.params.Body).toContain(m.code);
    expect(req.params.StatusCallback).toBe(`${h.publicBaseUrl}/v1/twilio/status?t=${tenantId}&m=${m.messageId}`);
    expect(row).toMatchObject({ sender: req.params.From, sender_kind: 'short_code', twilio_sid: req.sid });
  });

  it('R21: a Canadian number gets an SMS from the Canadian pool only', async () => {
    const ms = await Promise.all(Array.from({ length: 6 }, () => queueMessage(h, tenantId, CA_PHONE)));
    for (const m of ms) await untilStatus(h, m.messageId, ['sent', 'delivered']);
    for (const r of requestsTo(CA_PHONE)) expect(CA_CODES).toContain(r.params.From);
  });

  it('R22: a Caribbean +1 number (Jamaica) never gets a short code: no route → refused no_route_for_country', async () => {
    const m = await queueMessage(h, tenantId, JAMAICA_PHONE);
    const row = await untilStatus(h, m.messageId, ['refused']);
    expect(row.error_code).toBe('no_route_for_country');
    expect(requestsTo(JAMAICA_PHONE)).toHaveLength(0);
  });

  it('R22: a UK number without a route is refused at once with no_route_for_country; with a route it uses that sender', async () => {
    const before = await queueMessage(h, tenantId, UK_MOBILE);
    expect((await untilStatus(h, before.messageId, ['refused'])).error_code).toBe('no_route_for_country');
    expect(requestsTo(UK_MOBILE)).toHaveLength(0);

    const res = await h
      .http()
      .post('/v1/sender-routes')
      .set(operator)
      .send({ country: 'GB', kind: 'alphanumeric', sender: 'Twofold', rateLimitPerSecond: 10 });
    expect(res.status).toBe(201);
    const after = await queueMessage(h, tenantId, UK_MOBILE);
    const row = await untilStatus(h, after.messageId, ['sent', 'delivered']);
    expect(row).toMatchObject({ sender: 'Twofold', sender_kind: 'alphanumeric' });
    expect(requestsTo(UK_MOBILE).map((r) => r.params.From)).toEqual(['Twofold']);
  });

  it('R22: premium-rate numbers (US 900, UK 087) are refused before sending (status refused, toll_fraud_risk)', async () => {
    for (const phone of [US_PREMIUM, UK_PREMIUM]) {
      const m = await queueMessage(h, tenantId, phone);
      expect((await untilStatus(h, m.messageId, ['refused'])).error_code).toBe('toll_fraud_risk');
      expect(requestsTo(phone)).toHaveLength(0);
    }
  });

  it('0019: stored before the rule, a shared-cost, satellite or personal number is refused by the worker, not sent', async () => {
    for (const phone of ['+4918012345', '+881612345678', '+447012345678']) {
      const m = await queueMessage(h, tenantId, phone);
      expect((await untilStatus(h, m.messageId, ['refused'])).error_code).toBe('toll_fraud_risk');
      expect(requestsTo(phone)).toHaveLength(0);
    }
  });

  it('0019: a US toll-free number gets no SMS from a short code (refused toll_free_sms), but a call', async () => {
    const sms = await queueMessage(h, tenantId, TOLL_FREE);
    expect((await untilStatus(h, sms.messageId, ['refused'])).error_code).toBe('toll_free_sms');
    expect(requestsTo(TOLL_FREE)).toHaveLength(0);
    const call = await queueMessage(h, tenantId, TOLL_FREE, 'voice');
    await untilStatus(h, call.messageId, ['sent', 'delivered']);
    expect(requestsTo(TOLL_FREE).map((r) => r.kind)).toEqual(['call']);
  });

  it('0019: a country the tenant no longer allows is refused by the worker (country_not_allowed), not sent', async () => {
    const usOnly = await createTenant(h, { deliveryCountries: ['US'] });
    const m = await queueMessage(h, usOnly, CA_PHONE);
    expect((await untilStatus(h, m.messageId, ['refused'])).error_code).toBe('country_not_allowed');
    expect(requestsTo(CA_PHONE)).toHaveLength(0);
  });

  it('R21: load spreads over the whole US pool', async () => {
    const ms = await Promise.all(Array.from({ length: 40 }, () => queueMessage(h, tenantId, US_PHONE)));
    for (const m of ms) await untilStatus(h, m.messageId, ['sent', 'delivered']);
    const used = new Set(requestsTo(US_PHONE).map((r) => r.params.From));
    expect([...used].sort()).toEqual(US_CODES);
  });
});

describe('status callbacks (R24)', () => {
  const statusUrl = (messageId: string) => `${h.publicBaseUrl}/v1/twilio/status?t=${tenantId}&m=${messageId}`;

  it('R24/R29: a callback without or with a wrong X-Twilio-Signature is refused with 403 and the error body', async () => {
    const noSig = await h
      .http()
      .post('/v1/twilio/status')
      .type('form')
      .send({ MessageSid: 'SM1', MessageStatus: 'delivered' });
    expect(noSig.status).toBe(403);
    expect(noSig.body).toMatchObject({ code: 'invalid_twilio_signature' });
    expect(typeof noSig.body.correlationId).toBe('string');
    const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };
    const wrong = h.twilio.sign(`${h.publicBaseUrl}/v1/twilio/status?other=1`, params);
    expect(await h.twilio.postCallback(`${h.publicBaseUrl}/v1/twilio/status`, params, wrong)).toBe(403);
  });

  it('R24: callbacks are idempotent and monotonic; error codes are stored; the record shows the outcome', async () => {
    h.twilio.outcomeFor(US_PHONE, { status: 'none' });
    const m = await queueMessage(h, tenantId, US_PHONE);
    const row = await untilStatus(h, m.messageId, ['sent']);
    const sid = row.twilio_sid as string;
    await adminQuery(
      h.db,
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id,
         method, result, data_region, delivery_status, correlation_id)
       VALUES ($1, gen_random_uuid(), now(), $2, gen_random_uuid(), 'alice', 'sms', 'deny', 'us', 'sent', 'c1')`,
      [tenantId, m.authenticationId],
    );
    const cb = (status: string, extra: Record<string, string> = {}) =>
      h.twilio.postCallback(statusUrl(m.messageId), { MessageSid: sid, MessageStatus: status, ...extra });

    expect(await cb('undelivered', { ErrorCode: '30003' })).toBe(204);
    expect(await cb('sent')).toBe(204); // older: ignored
    expect(await cb('delivered')).toBe(204); // undelivered is terminal
    expect(await cb('undelivered', { ErrorCode: '30003' })).toBe(204); // repeated: no-op
    const after = await messageRow(h, m.messageId);
    expect(after).toMatchObject({ status: 'undelivered', error_code: '30003' });
    const events = await adminQuery<{ provider_status: string }>(
      h.db,
      'SELECT provider_status FROM message_status_events WHERE message_id = $1 ORDER BY provider_status',
      [m.messageId],
    );
    expect(events.map((e) => e.provider_status)).toEqual(['delivered', 'sent', 'undelivered']);
    const [record] = await adminQuery<{ delivery_status: string }>(
      h.db,
      'SELECT delivery_status::text FROM authentication_records WHERE authentication_id = $1',
      [m.authenticationId],
    );
    expect(record.delivery_status).toBe('undelivered');
  });

  it('R24: a failed callback carries its Twilio error code', async () => {
    h.twilio.outcomeFor(CA_PHONE, { status: 'failed', errorCode: '30006' });
    const m = await queueMessage(h, tenantId, CA_PHONE);
    expect(await untilStatus(h, m.messageId, ['failed'])).toMatchObject({ error_code: '30006' });
  });
});

describe('retries', () => {
  it('a 500 from Twilio is retried (backoff with jitter) and then succeeds', async () => {
    const phone = '+12125550150';
    h.twilio.failTo(phone, 'server_error', 1);
    const m = await queueMessage(h, tenantId, phone);
    await untilStatus(h, m.messageId, ['sent', 'delivered'], 15_000);
    expect(requestsTo(phone).map((r) => r.responseStatus)).toEqual([500, 201]);
  });

  it('a 429 and a dropped connection are retried too', async () => {
    const phone = '+12125550151';
    h.twilio.failTo(phone, 'too_many_requests', 1);
    const m = await queueMessage(h, tenantId, phone);
    await untilStatus(h, m.messageId, ['sent', 'delivered'], 15_000);
    expect(requestsTo(phone).map((r) => r.responseStatus)).toEqual([429, 201]);
  });

  it('21211 (invalid number) and 21610 (unsubscribed) are permanent: one request, message failed', async () => {
    for (const [phone, failure, code] of [
      ['+12125550152', 'invalid_number', '21211'],
      ['+12125550153', 'unsubscribed', '21610'],
    ] as const) {
      h.twilio.failTo(phone, failure);
      const m = await queueMessage(h, tenantId, phone);
      expect((await untilStatus(h, m.messageId, ['failed'])).error_code).toBe(code);
      await new Promise((r) => setTimeout(r, 1_500)); // longer than the first backoff
      expect(requestsTo(phone)).toHaveLength(1);
    }
  });
});

describe('voice (R23)', () => {
  it('R23: the call uses the configured caller ID as From, recorded as requested, and reads the code twice', async () => {
    const phone = '+12125550160';
    const m = await queueMessage(h, tenantId, phone, 'voice', { callerId: '+12025550100', code: '493817' });
    const row = await untilStatus(h, m.messageId, ['delivered']);
    const [req] = requestsTo(phone);
    expect(req.kind).toBe('call');
    expect(req.params.From).toBe('+12025550100');
    expect(row).toMatchObject({ sender: '+12025550100', sender_kind: 'caller_id' });
    const said = req.params.Twiml.match(/4, 9, 3, 8, 1, 7/g) ?? [];
    expect(said).toHaveLength(2);
  });

  it('R23: voice without a configured caller ID uses the platform default TWILIO_VOICE_FROM', async () => {
    const m = await queueMessage(h, tenantId, '+12125550161', 'voice');
    expect(await untilStatus(h, m.messageId, ['sent', 'delivered'])).toMatchObject({ sender: '+12025550199' });
  });
});

describe('secrecy (STYLE: logs)', () => {
  it('R24: the code is never stored in clear: not in Redis job data, not in the message row or failure reasons', async () => {
    h.twilio.failTo('+12125550170', 'invalid_number');
    const m = await queueMessage(h, tenantId, '+12125550170', 'sms', { code: '735194' });
    await untilStatus(h, m.messageId, ['failed']);
    const keys = await h.redis.keys(`${h.queuePrefix}:delivery.sms:*`);
    for (const key of keys) {
      const type = await h.redis.type(key);
      if (type !== 'hash') continue;
      const values = Object.values(await h.redis.hgetall(key)).join('\n');
      expect(values).not.toContain('735194');
    }
    const row = await messageRow(h, m.messageId);
    expect(JSON.stringify(row)).not.toContain('735194');
  });
});

describe('SMS → voice fallback', () => {
  it('a tenant with fallback gets a voice call when the SMS is refused as not a mobile (21614)', async () => {
    const fallbackTenant = await createTenant(h, { smsFallbackToVoice: true });
    const phone = '+12125550180';
    h.twilio.failTo(phone, 'not_mobile');
    const m = await queueMessage(h, fallbackTenant, phone, 'sms', { code: '246813' });
    await untilStatus(h, m.messageId, ['failed']);
    const call = await until(async () => requestsTo(phone).find((r) => r.kind === 'call'));
    expect(call.params.Twiml).toContain('2, 4, 6, 8, 1, 3');
  });
});

describe('operator API (R21)', () => {
  it('R21: operator key only', async () => {
    expect((await h.http().get('/v1/short-codes')).status).toBe(401);
    const list = await h.http().get('/v1/short-codes').set(operator);
    expect(list.status).toBe(200);
    expect(list.body.map((c: { code: string }) => c.code).sort()).toEqual([...CA_CODES, ...US_CODES].sort());
  });

  it('R21: a removed or disabled code is never picked again, an added one is, without a restart', async () => {
    const list = (await h.http().get('/v1/short-codes').set(operator)).body as { id: string; code: string }[];
    const id = (code: string) => list.find((c) => c.code === code)?.id as string;
    expect(
      (
        await h
          .http()
          .delete(`/v1/short-codes/${id('97671')}`)
          .set(operator)
      ).status,
    ).toBe(204);
    expect(
      (
        await h
          .http()
          .patch(`/v1/short-codes/${id('69829')}`)
          .set(operator)
          .send({ enabled: false })
      ).status,
    ).toBe(200);
    const added = await h.http().post('/v1/short-codes').set(operator).send({ country: 'US', code: '12345' });
    expect(added.status).toBe(201);
    expect(
      (await h.http().post('/v1/short-codes').set(operator).send({ country: 'US', code: '12345' })).body.code,
    ).toBe('sender_exists');
    const ms = await Promise.all(Array.from({ length: 30 }, () => queueMessage(h, tenantId, US_PHONE)));
    for (const m of ms) await untilStatus(h, m.messageId, ['sent', 'delivered']);
    const used = new Set(requestsTo(US_PHONE).map((r) => r.params.From));
    expect([...used].sort()).toEqual(['12345', '51789', '99399']);
  });
});

describe('per-sender rate limit', () => {
  it('a sender never exceeds its messages/second; a burst queues instead of failing (±10%)', async () => {
    const list = (await h.http().get('/v1/short-codes').set(operator)).body as { id: string; code: string }[];
    const ca = list.filter((c) => CA_CODES.includes(c.code));
    await h.http().patch(`/v1/short-codes/${ca[0].id}`).set(operator).send({ enabled: false });
    await h.http().patch(`/v1/short-codes/${ca[1].id}`).set(operator).send({ rateLimitPerSecond: 20 });
    h.twilio.outcomeFor(CA_PHONE, { status: 'none' });
    const ms = await Promise.all(Array.from({ length: 70 }, () => queueMessage(h, tenantId, CA_PHONE)));
    for (const m of ms) await untilStatus(h, m.messageId, ['sent'], 20_000);
    const times = requestsTo(CA_PHONE)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(70);
    // Senders are paced (GCRA): no two-second window at the fake holds more than 2 × 20, plus the one
    // interval of catch-up the limiter allows by design, plus 10% for the hop between taking a slot
    // and reaching the fake; and the sustained rate is 20/s ±10%. Two seconds, not one: with other
    // test files loading both cores (CI), timers that fire late let a few sends land together, and
    // a one-second window counted that jitter as a breach in about one run in four, before and after
    // the changes of issue 21. An unpaced sender still fails it: 70 messages would land at once.
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 2000).length));
    expect(busiest).toBeLessThanOrEqual(Math.floor((2 * 20 + 1) * 1.1));
    const rate = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
    expect(rate).toBeGreaterThan(18);
    expect(rate).toBeLessThan(22);
  });
});

it('docs/decisions/0026: a suspended tenant’s queued SMS and calls are refused before Twilio (tenant_suspended); resumed, it sends again', async () => {
  const suspended = await createTenant(h);
  await adminQuery(h.db, `UPDATE tenants SET suspended_at = now(), suspension_reason = 'test' WHERE id = $1`, [
    suspended,
  ]);
  const sms = await queueMessage(h, suspended, US_PHONE);
  const call = await queueMessage(h, suspended, US_PHONE, 'voice', { callerId: '+12025550100' });
  for (const m of [sms, call]) {
    const row = await untilStatus(h, m.messageId, ['refused', 'failed', 'sent']);
    expect(row).toMatchObject({ status: 'refused', error_code: 'tenant_suspended', twilio_sid: null });
  }
  expect(requestsTo(US_PHONE)).toHaveLength(0);

  await adminQuery(h.db, `UPDATE tenants SET suspended_at = NULL, suspension_reason = NULL WHERE id = $1`, [suspended]);
  const after = await queueMessage(h, suspended, US_PHONE);
  expect((await untilStatus(h, after.messageId, ['sent', 'delivered', 'refused', 'failed'])).status).toBe('sent');
});

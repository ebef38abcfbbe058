import { createServer } from 'node:net';
import { delta, Scrape } from '@twofold/platform/testing';
import {
  bearer,
  createTenant,
  DeliveryHarness,
  OPERATOR_KEY,
  queueMessage,
  startDelivery,
  until,
  untilStatus,
} from './harness';

/**
 * Issue 16 item 3 (docs/decisions/0024): the delivery worker's METRICS_PORT listener and the HTTP
 * service's /metrics after real sends and signed callbacks through the fake Twilio.
 */
const US_PHONE = '+12125550123';
const UNDELIVERED_PHONE = '+12125550124';
const INVALID_PHONE = '+12125550125';
const VOICE_PHONE = '+12125550126';
const JAMAICA_PHONE = '+18762345678';

let h: DeliveryHarness;
let tenantId: string;
let metricsPort: number;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  metricsPort = await freePort();
  h = await startDelivery({
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
    OPERATOR_API_KEY: OPERATOR_KEY,
  });
  tenantId = await createTenant(h, { deliveryCountries: ['US', 'CA', 'JM'] });
});

afterAll(async () => {
  await h?.close();
});

const workerMetrics = (headers: Record<string, string> = {}, path = '/metrics') =>
  fetch(`http://127.0.0.1:${metricsPort}${path}`, { headers });

async function scrapeWorker(): Promise<Scrape> {
  const res = await workerMetrics(bearer(OPERATOR_KEY));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return Scrape.parse(await res.text());
}

async function scrapeHttp(): Promise<Scrape> {
  const res = await h.http().get('/metrics').set(bearer(OPERATOR_KEY)).expect(200);
  return Scrape.parse(res.text);
}

it('the worker listener counts sends, final outcomes and Twilio requests by operation; the service counts callbacks by route', async () => {
  const before = await scrapeWorker();
  const httpBefore = await scrapeHttp();
  h.twilio.outcomeFor(UNDELIVERED_PHONE, { status: 'undelivered', errorCode: '30003' });
  h.twilio.failTo(INVALID_PHONE, 'invalid_number');

  const delivered = await queueMessage(h, tenantId, US_PHONE);
  const undelivered = await queueMessage(h, tenantId, UNDELIVERED_PHONE);
  const invalid = await queueMessage(h, tenantId, INVALID_PHONE);
  const voice = await queueMessage(h, tenantId, VOICE_PHONE, 'voice');
  const refused = await queueMessage(h, tenantId, JAMAICA_PHONE);

  await untilStatus(h, delivered.messageId, ['delivered']);
  await untilStatus(h, undelivered.messageId, ['undelivered']);
  const failedRow = await untilStatus(h, invalid.messageId, ['failed', 'refused']);
  await untilStatus(h, voice.messageId, ['delivered']);
  await untilStatus(h, refused.messageId, ['refused']);
  // Every callback the fake posts has been answered and logged: the log stops growing.
  let seen = -1;
  const callbacks = await until(async () => {
    const now = h.twilio.callbacks.length;
    if (now !== seen) {
      seen = now;
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    }
    return [...h.twilio.callbacks];
  });

  const after = await scrapeWorker();
  const moved = (labels: Record<string, string>) => delta(before, after, 'twofold_delivery_outcomes_total', labels);
  expect(moved({ channel: 'sms', status: 'sent' })).toBe(2);
  expect(moved({ channel: 'voice', status: 'sent' })).toBe(1);
  expect(moved({ channel: 'sms', status: 'delivered' })).toBe(1);
  expect(moved({ channel: 'voice', status: 'delivered' })).toBe(1);
  expect(moved({ channel: 'sms', status: 'undelivered' })).toBe(1);
  // Twilio's 21211 is the carrier's answer (failed); no route is our own refusal (refused).
  expect(failedRow.status).toBe('failed');
  expect(moved({ channel: 'sms', status: 'failed' })).toBe(1);
  expect(moved({ channel: 'sms', status: 'refused' })).toBe(1);

  const twilio = (name: string, labels: Record<string, string>) => delta(before, after, name, labels);
  expect(twilio('twofold_twilio_request_duration_seconds_count', { operation: 'messages.create', outcome: 'ok' })).toBe(
    2,
  );
  expect(
    twilio('twofold_twilio_request_duration_seconds_count', { operation: 'messages.create', outcome: 'error' }),
  ).toBe(1);
  expect(twilio('twofold_twilio_request_duration_seconds_count', { operation: 'calls.create', outcome: 'ok' })).toBe(1);
  expect(
    twilio('twofold_twilio_errors_total', { operation: 'messages.create', code: '21211', transient: 'false' }),
  ).toBe(1);
  expect(h.twilio.requests.filter((r) => r.params.To === JAMAICA_PHONE)).toHaveLength(0);

  // Queue depth of the queues this worker serves: everything was taken.
  for (const queue of ['delivery.sms', 'delivery.voice']) {
    expect(after.value('twofold_queue_jobs', { queue, state: 'waiting' })).toBe(0);
    expect(after.has('twofold_queue_jobs', { queue, state: 'failed' })).toBe(true);
  }
  expect(after.text).not.toContain(tenantId);
  expect(after.text).not.toContain(US_PHONE);

  // The HTTP service: one observation per callback under the route template, never the signed URL.
  const httpAfter = await scrapeHttp();
  const byStatus = new Map<number, number>();
  for (const c of callbacks) byStatus.set(c.responseStatus, (byStatus.get(c.responseStatus) ?? 0) + 1);
  for (const [status, count] of byStatus) {
    expect(
      delta(httpBefore, httpAfter, 'twofold_http_request_duration_seconds_count', {
        route: '/v1/twilio/status',
        method: 'POST',
        status: String(status),
      }),
    ).toBe(count);
  }
  expect(httpAfter.text).not.toContain(delivered.messageId);
});

it('the worker listener refuses without the operator key (R29), answers 404 elsewhere, and the HTTP service too', async () => {
  for (const headers of [{}, bearer('wrong-key-wrong-key-wrong-key-wrong')]) {
    const res = await workerMetrics(headers);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { code: string; message: string; correlationId: string };
    expect(body.code).toBe('metrics_access_denied');
    expect(body.message.length).toBeGreaterThan(0);
    expect(res.headers.get('x-correlation-id')).toBe(body.correlationId);
  }
  const elsewhere = await workerMetrics(bearer(OPERATOR_KEY), '/other');
  expect(elsewhere.status).toBe(404);
  expect(((await elsewhere.json()) as { code: string }).code).toBe('not_found');
  const res = await h.http().get('/metrics');
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ code: 'metrics_access_denied', correlationId: res.headers['x-correlation-id'] });
});

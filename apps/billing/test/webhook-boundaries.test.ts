import net from 'node:net';
import { WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_BODY_TIMEOUT_MS } from '../src/webhooks/raw-body.hook';
import { BillingHarness, startBilling, WEBHOOK_SECRET } from './harness';

/**
 * Issue 13 item 5: the Stripe webhook endpoint is public, so anyone can post to it. Over a real
 * socket: a body past 1 MiB is refused while it streams in (and the rest is never read), a sender
 * that stalls is cut off, and a correctly signed body that is not a usable Stripe event gets a 2xx
 * or a 400 with a code, never a 500 (R29).
 */
describe('Stripe webhook endpoint boundaries (R10, R29, issue 13)', () => {
  let h: BillingHarness;
  let port: number;
  const PATH = '/v1/billing/webhooks/stripe';

  beforeAll(async () => {
    h = await startBilling();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await h.app.getUrl()).port);
  });
  afterAll(() => h.close());

  /** Raw HTTP/1.1 over a socket: what the server answered, and how much of the body it let us send. */
  function rawPost(
    headers: Record<string, string>,
    writeBody: (socket: net.Socket) => void,
  ): Promise<{ status: number; text: string; closed: boolean; sentWhenAnswered: number }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let received = '';
      let sent = 0;
      let sentWhenAnswered = -1;
      const write = socket.write.bind(socket);
      (socket as { write: unknown }).write = (chunk: Buffer | string, ...rest: unknown[]) => {
        sent += Buffer.byteLength(chunk);
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      };
      socket.on('data', (d) => {
        if (sentWhenAnswered < 0) sentWhenAnswered = sent;
        received += d.toString('latin1');
      });
      socket.on('error', () => undefined); // the server closing while we still write: expected
      socket.on('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
        const text = received.slice(received.indexOf('\r\n\r\n') + 4);
        resolve({ status, text, closed: true, sentWhenAnswered });
      });
      socket.once('connect', () => {
        const head = Object.entries({ host: `127.0.0.1:${port}`, 'content-type': 'application/json', ...headers })
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n');
        socket.write(`POST ${PATH} HTTP/1.1\r\n${head}\r\n\r\n`);
        writeBody(socket);
      });
      setTimeout(() => reject(new Error('no answer')), WEBHOOK_BODY_TIMEOUT_MS + 15_000).unref();
    });
  }

  const signed = (payload: string) =>
    h.stripe.client().webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });

  it('a chunked body past 1 MiB gets 413 while it streams, and the rest is never read', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const total = 256 * 1024 * 1024;
    const res = await rawPost({ 'transfer-encoding': 'chunked', 'stripe-signature': 't=1,v1=x' }, (socket) => {
      let written = 0;
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
          if (socket.destroyed) return;
          if (!ok) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.write('0\r\n\r\n');
      };
      pump();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'payload_too_large' });
    // Answered and closed long before 256 MiB went out: the server stopped reading near the limit
    // (what the kernel's socket buffers hold on both sides comes on top of the 1 MiB).
    expect(res.sentWhenAnswered).toBeGreaterThan(WEBHOOK_BODY_LIMIT_BYTES);
    expect(res.sentWhenAnswered).toBeLessThan(32 * 1024 * 1024);
  });

  it('a declared Content-Length past 1 MiB gets 413 before any of the body is sent', async () => {
    const res = await rawPost({ 'content-length': String(10 * 1024 * 1024), 'stripe-signature': 't=1,v1=x' }, () => {
      // nothing: the answer must not wait for the body
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'payload_too_large' });
  });

  it(
    'a sender that stalls mid-body is cut off with 408',
    async () => {
      const started = Date.now();
      const res = await rawPost({ 'content-length': '1000', 'stripe-signature': 't=1,v1=x' }, (socket) => {
        socket.write('{"id":"evt_');
      });
      expect(res.status).toBe(408);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'request_timeout' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(WEBHOOK_BODY_TIMEOUT_MS - 100);
    },
    WEBHOOK_BODY_TIMEOUT_MS + 20_000,
  );

  const post = async (payload: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signed(payload) },
      body: payload,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('a correctly signed body that is not a Stripe event gets 400 webhook_event_invalid, never 500', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const payload of [
      '[]',
      'null',
      '"evt"',
      '42',
      'true',
      '{}',
      JSON.stringify({ id: 'evt_1', created: now }),
      JSON.stringify({ type: 'invoice.paid', created: now }),
      JSON.stringify({ id: 42, type: 'invoice.paid', created: now }),
      JSON.stringify({ id: 'evt_2', type: ['invoice.paid'], created: now }),
      JSON.stringify({ id: 'evt_3', type: 'invoice.paid', created: 'yesterday' }),
      JSON.stringify({ id: 'evt_4', type: 'invoice.paid', created: now, data: { object: { id: 'in_\u0000' } } }),
    ]) {
      const res = await post(payload);
      expect({ payload, status: res.status, code: res.body.code }).toEqual({
        payload,
        status: 400,
        code: 'webhook_event_invalid',
      });
      expect(typeof res.body.correlationId).toBe('string');
    }
  });

  it('a signed Stripe event whose object we do not understand is stored and ignored (200), never 500', async () => {
    const now = Math.floor(Date.now() / 1000);
    const odd: Record<string, unknown>[] = [
      { type: 'invoice.paid' },
      { type: 'invoice.paid', data: null },
      { type: 'invoice.paid', data: { object: null } },
      { type: 'invoice.paid', data: { object: 'in_1' } },
      { type: 'invoice.paid', data: { object: { id: 'in_1', customer: 42 } } },
      { type: 'invoice.paid', data: { object: { id: 'in_1', customer: 'cus_x', subtotal: 'abc' } } },
      { type: 'invoice.payment_failed', data: { object: { id: 'in_1', customer: 'cus_x', period_start: 1.5 } } },
      { type: 'customer.subscription.updated', data: { object: { id: 'sub_1', customer: 'cus_x' } } },
      { type: 'customer.subscription.updated', data: { object: { id: 'sub_1', status: 'active', items: 'x' } } },
      { type: 'customer.subscription.deleted', data: { object: [] } },
      { type: 'some.new_event_type', data: 'anything' },
    ];
    for (const [i, shape] of odd.entries()) {
      const payload = JSON.stringify({ id: `evt_odd_${i}_${now}`, created: now, livemode: false, ...shape });
      const res = await post(payload);
      expect({ shape, status: res.status, result: res.body.result }).toEqual({ shape, status: 200, result: 'ignored' });
    }
    const stored = await h.sql<{ n: number; noted: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE last_error LIKE 'not understood:%')::int AS noted
         FROM stripe_webhook_events WHERE stripe_event_id LIKE 'evt_odd_%'`,
    );
    expect(stored[0]).toEqual({ n: odd.length, noted: odd.length - 1 });
  });
});

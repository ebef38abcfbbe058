import type { Server } from 'node:http';
import { MetricsAccess } from './access';
import { startMetricsListener } from './listener';
import { rateLimitRefusalsTotal } from './registry';

/** A worker's metrics listener on a real socket: the allow-list decides by the peer address. */
describe('metrics listener', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });
  const listen = async (allow: string[]) => {
    const server = await startMetricsListener(0, '127.0.0.1', new MetricsAccess({ operatorKey: null, allow }));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };

  it('serves an allow-listed peer without a key, and refuses any other with a code and a correlation id', async () => {
    rateLimitRefusalsTotal.inc({ limiter: 'listener-test' });
    const open = await listen(['127.0.0.0/8']);
    const ok = await fetch(`${open}/metrics`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('twofold_rate_limit_refusals_total{limiter="listener-test"} 1');
    expect((await fetch(`${open}/metrics`, { method: 'POST' })).status).toBe(405);

    const closed = await listen(['10.0.0.0/8']);
    const refused = await fetch(`${closed}/metrics`, { headers: { 'x-correlation-id': 'scrape-0001' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      code: 'metrics_access_denied',
      message: expect.stringContaining('METRICS_ALLOW_CIDRS'),
      correlationId: 'scrape-0001',
    });
    // A claimed client address is not read here: workers take the socket's peer.
    const spoofed = await fetch(`${closed}/metrics`, { headers: { 'x-forwarded-for': '10.0.0.1' } });
    expect(spoofed.status).toBe(403);
  });
});

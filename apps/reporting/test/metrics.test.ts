import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { delta, Scrape } from '@twofold/platform/testing';
import { bearer, ReportingHarness, SeededTenant, seedRecords, seedTenant, startReporting } from './harness';

const OPERATOR_KEY = `op_${randomBytes(24).toString('hex')}`;
const NOV = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Issue 16 item 3 (docs/decisions/0024): reporting's /metrics and its worker's METRICS_PORT listener. */
describe('GET /metrics (reporting, no worker: exports stay queued)', () => {
  let h: ReportingHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startReporting({ worker: false, env: { OPERATOR_API_KEY: OPERATOR_KEY } });
    t = await seedTenant(h, 'A');
    await seedRecords(h, t, 'us', [{ at: new Date('2026-11-02T12:00:00Z'), userName: 'alice@a.example' }]);
  });
  afterAll(() => h.close());

  const scrape = async () => Scrape.parse((await h.http().get('/metrics').set(bearer(OPERATOR_KEY)).expect(200)).text);

  it('counts report reads and export admissions by route template, and reads the export queue', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      await h.http().get('/v1/reports/authentications').query(NOV).set(bearer(t.apiKey)).expect(200);
    }
    const exportBody = { report: 'authentications', format: 'csv', ...NOV };
    await h.http().post('/v1/exports').set(bearer(t.apiKey)).send(exportBody).expect(202);
    await h.http().post('/v1/exports').set(bearer(t.apiKey)).send(exportBody).expect(202);
    // EXPORT_ACTIVE_PER_TENANT (2): the third is refused.
    await h.http().post('/v1/exports').set(bearer(t.apiKey)).send(exportBody).expect(429);
    const after = await scrape();

    const requests = (labels: Record<string, string>) =>
      delta(before, after, 'twofold_http_request_duration_seconds_count', labels);
    expect(requests({ route: '/v1/reports/authentications', method: 'GET', status: '200' })).toBe(3);
    expect(requests({ route: '/v1/exports', method: 'POST', status: '202' })).toBe(2);
    expect(requests({ route: '/v1/exports', method: 'POST', status: '429' })).toBe(1);
    expect(after.value('twofold_queue_jobs', { queue: 'reporting.export', state: 'waiting' })).toBe(2);
    expect(after.value('twofold_queue_jobs', { queue: 'reporting.export', state: 'failed' })).toBe(0);
    expect(after.text).not.toContain(t.id);
  });

  it('refuses without the operator key (R29)', async () => {
    const res = await h.http().get('/metrics').set(bearer(t.apiKey));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'metrics_access_denied', correlationId: res.headers['x-correlation-id'] });
  });
});

describe('reporting worker METRICS_PORT', () => {
  let h: ReportingHarness;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    h = await startReporting({
      env: { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', METRICS_ALLOW_CIDRS: '127.0.0.1/32,::1' },
    });
  });
  afterAll(() => h.close());

  it('serves an allow-listed scraper: the export queue it serves, empty once the export ran', async () => {
    const t = await seedTenant(h, 'B');
    const created = await h
      .http()
      .post('/v1/exports')
      .set(bearer(t.apiKey))
      .send({ report: 'authentications', format: 'csv', ...NOV })
      .expect(202);
    let state = created.body;
    for (let i = 0; i < 100 && state.status !== 'done' && state.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await h.http().get(`/v1/exports/${created.body.id}`).set(bearer(t.apiKey))).body;
    }
    expect(state.status).toBe('done');
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const scrape = Scrape.parse(await res.text());
    expect(scrape.value('twofold_queue_jobs', { queue: 'reporting.export', state: 'waiting' })).toBe(0);
    expect(scrape.value('twofold_queue_jobs', { queue: 'reporting.export', state: 'active' })).toBe(0);
    expect(scrape.has('process_resident_memory_bytes')).toBe(true);
  });
});

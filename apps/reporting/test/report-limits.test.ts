import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { adminQuery } from '@twofold/platform/testing';
import { bearer, ReportingHarness, seedRecords, SeededTenant, seedTenant, startReporting } from './harness';

/** Issue 15 item 6: reporting cannot be knocked over by a broken database, slow readers or exports. */

const NOV = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

async function seedMany(h: ReportingHarness, t: SeededTenant, rows: number): Promise<void> {
  await adminQuery(
    h.db,
    `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id, method, mode, result, data_region, correlation_id)
     SELECT $1, gen_random_uuid(), timestamptz '2026-11-05' + (g * interval '1 ms'), gen_random_uuid(), $2, 'user-' || g || '@example.com', 'sms', 'sms', 'success', 'us', 'c'
       FROM generate_series(1, $3::int) g`,
    [t.id, t.providerId, rows],
  );
}

/** Report connections of this test's database that are doing something (not idle in the pool). */
async function busyReportSessions(h: ReportingHarness): Promise<number> {
  const [row] = await adminQuery<{ n: number }>(
    h.db,
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'twofold-reporting' AND state <> 'idle'`,
    [h.db.name],
  );
  return row?.n ?? 0;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A download whose client reads one chunk and then stops reading (the socket stays open). */
async function stalledDownload(port: number, apiKey: string, format: string): Promise<AbortController> {
  const controller = new AbortController();
  const res = await fetch(
    `http://127.0.0.1:${port}/v1/reports/authentications?from=${NOV.from}&to=${NOV.to}&format=${format}`,
    {
      headers: bearer(apiKey),
      signal: controller.signal,
    },
  );
  expect(res.status).toBe(200);
  await res.body?.getReader().read();
  return controller;
}

async function listen(h: ReportingHarness): Promise<number> {
  const server = h.app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function unlisten(h: ReportingHarness): Promise<void> {
  const server = h.app.getHttpServer();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('a report connection that cannot be had is a 503 with a code, not a crash or a stall', () => {
  let h: ReportingHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startReporting({ worker: false });
    t = await seedTenant(h, 'T', 'us');
    await seedRecords(h, t, 'us', [{ at: new Date('2026-11-02T00:00:00Z'), userName: 'a@t.example' }]);
  });
  afterAll(async () => {
    await adminQuery(h.db, `ALTER DATABASE "${h.db.name}" CONNECTION LIMIT -1`);
    await h.close();
  });

  it('CSV, NDJSON and JSON pages answer 503 reporting_unavailable while the database refuses connections', async () => {
    // The app's own pool keeps the connection it has (API key, region); the report pool needs a new one.
    expect((await h.http().get(`/v1/exports/${randomUUID()}`).set(bearer(t.apiKey))).status).toBe(404);
    await adminQuery(h.db, `ALTER DATABASE "${h.db.name}" CONNECTION LIMIT 0`);
    for (const format of ['csv', 'ndjson', undefined]) {
      const res = await h
        .http()
        .get('/v1/reports/authentications')
        .query({ ...NOV, format })
        .set(bearer(t.apiKey))
        .timeout(10_000);
      expect({ format, status: res.status, code: res.body.code }).toEqual({
        format,
        status: 503,
        code: 'reporting_unavailable',
      });
      expect(res.body.correlationId).toEqual(expect.any(String));
    }
    await adminQuery(h.db, `ALTER DATABASE "${h.db.name}" CONNECTION LIMIT -1`);
    const csv = await h
      .http()
      .get('/v1/reports/authentications')
      .query({ ...NOV, format: 'csv' })
      .set(bearer(t.apiKey));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('a@t.example');
  });
});

describe('a stalled reader holds its report connection for a bounded time only', () => {
  let h: ReportingHarness;
  let big: SeededTenant;
  let port: number;
  beforeAll(async () => {
    h = await startReporting({
      worker: false,
      env: {
        REPORT_STATEMENT_TIMEOUT_MS: '1000',
        REPORT_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
        REPORT_MAX_SECONDS: '3',
      },
    });
    big = await seedTenant(h, 'Big', 'us');
    await seedMany(h, big, 200_000);
    port = await listen(h);
  }, 60_000);
  afterAll(async () => {
    await unlisten(h);
    await h.close();
  });

  it('COPY (CSV) and cursor (NDJSON) reads end on the server, and the tenant can read again', async () => {
    for (const format of ['csv', 'ndjson']) {
      const controller = await stalledDownload(port, big.apiKey, format);
      expect(await until(async () => (await busyReportSessions(h)) === 0, 10_000)).toBe(true);
      controller.abort();
      const again = await h
        .http()
        .get('/v1/reports/authentications')
        .query({ ...NOV, limit: 1 })
        .set(bearer(big.apiKey));
      expect({ format, status: again.status }).toEqual({ format, status: 200 });
    }
  }, 60_000);
});

describe('one report connection per tenant at a time (REPORT_CONNECTIONS_PER_TENANT)', () => {
  let h: ReportingHarness;
  let big: SeededTenant;
  let other: SeededTenant;
  let port: number;
  beforeAll(async () => {
    h = await startReporting({ worker: false });
    big = await seedTenant(h, 'Big', 'us');
    other = await seedTenant(h, 'Other', 'us');
    await seedMany(h, big, 200_000);
    port = await listen(h);
  }, 60_000);
  afterAll(async () => {
    await unlisten(h);
    await h.close();
  });

  it('a second read of a tenant with a stalled download gets 429 report_busy; other tenants are served', async () => {
    const stalled = await stalledDownload(port, big.apiKey, 'csv');
    const busy = await h
      .http()
      .get('/v1/reports/authentications')
      .query({ ...NOV, limit: 1 })
      .set(bearer(big.apiKey));
    expect({ status: busy.status, code: busy.body.code }).toEqual({ status: 429, code: 'report_busy' });
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect((await h.http().get('/v1/reports/usage').query(NOV).set(bearer(other.apiKey))).status).toBe(200);
    stalled.abort();
    expect(
      await until(
        async () =>
          (
            await h
              .http()
              .get('/v1/reports/authentications')
              .query({ ...NOV, limit: 1 })
              .set(bearer(big.apiKey))
          ).status === 200,
        10_000,
      ),
    ).toBe(true);
  }, 60_000);
});

describe('export caps: range, exports in flight, disk quota', () => {
  let h: ReportingHarness;
  let t: SeededTenant;
  let full: SeededTenant;
  const QUOTA = 64 * 1024;
  beforeAll(async () => {
    // No worker: exports stay queued, so they count as in flight.
    h = await startReporting({
      worker: false,
      env: { EXPORT_ACTIVE_PER_TENANT: '2', EXPORT_TENANT_QUOTA_BYTES: String(QUOTA) },
    });
    t = await seedTenant(h, 'T', 'us');
    full = await seedTenant(h, 'Full', 'us');
  });
  afterAll(() => h.close());

  const create = (tenant: SeededTenant, body: Record<string, unknown> = {}) =>
    h
      .http()
      .post('/v1/exports')
      .set(bearer(tenant.apiKey))
      .send({ report: 'authentications', format: 'csv', ...NOV, ...body });

  it('refuses a range over 400 days (400 validation_failed)', async () => {
    const res = await create(t, { from: '2025-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'validation_failed' });
  });

  it('the third export in flight gets 429 export_limit_reached; another tenant is not affected', async () => {
    expect((await create(t)).status).toBe(202);
    expect((await create(t)).status).toBe(202);
    const third = await create(t);
    expect({ status: third.status, code: third.body.code }).toEqual({ status: 429, code: 'export_limit_reached' });
    expect(third.body.correlationId).toEqual(expect.any(String));
    expect((await create(full)).status).toBe(202);
  });

  it('a tenant whose files fill its quota gets 409 export_quota_exceeded', async () => {
    await adminQuery(
      h.db,
      `INSERT INTO report_exports (tenant_id, id, report_type, format, status, file_size, data_region, expires_at, updated_at)
       VALUES ($1, gen_random_uuid(), 'authentication', 'csv', 'done', $2, 'us', now() + interval '1 day', now())`,
      [full.id, QUOTA],
    );
    const res = await create(full);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'export_quota_exceeded' });
  });
});

describe('an export that would pass the quota fails and leaves no file', () => {
  let h: ReportingHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startReporting({ env: { EXPORT_TENANT_QUOTA_BYTES: '4096' } });
    t = await seedTenant(h, 'T', 'us');
    await seedMany(h, t, 2_000);
  });
  afterAll(() => h.close());

  it.each([false, true])('gzip %s: failed, with the reason; the partial file is deleted', async (gzip) => {
    const created = await h
      .http()
      .post('/v1/exports')
      .set(bearer(t.apiKey))
      .send({ report: 'authentications', format: gzip ? 'ndjson' : 'csv', ...NOV, gzip });
    expect(created.status).toBe(202);
    let state = created.body;
    for (let i = 0; i < 200 && state.status !== 'done' && state.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await h.http().get(`/v1/exports/${created.body.id}`).set(bearer(t.apiKey))).body;
    }
    expect(state).toMatchObject({ status: 'failed', error: expect.stringMatching(/quota/) });
    const dir = join(h.exportDir, 'us', t.id);
    const left = existsSync(dir) ? readdirSync(dir) : [];
    expect(left.filter((f) => f.startsWith(created.body.id))).toEqual([]);
  });
});

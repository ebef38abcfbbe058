import { gunzipSync } from 'node:zlib';
import { Client } from 'pg';
import { bearer, ReportingHarness, seedRecords, SeededTenant, seedTenant, startReporting } from './harness';

const NOV = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 10, day, hour));

describe('reports and exports (R26, R27)', () => {
  let h: ReportingHarness;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    h = await startReporting();
    a = await seedTenant(h, 'A', 'eu');
    b = await seedTenant(h, 'B', 'us');
    await seedRecords(h, a, 'eu', [
      { at: at(1), userName: 'alice@a.example', phone: '+14255550100', clientIp: '203.0.113.1' },
      { at: at(1, 13), userName: 'bob@a.example', method: 'app_code', result: 'deny', denyReason: 'invalid_code' },
      { at: at(2), userName: '=cmd|calc@a.example', method: 'voice' },
      { at: at(20), userName: 'alice@a.example', method: 'oath_token' },
    ]);
    await seedRecords(h, b, 'us', [{ at: at(1), userName: 'mallory@b.example' }]);
  });
  afterAll(() => h.close());

  const get = (path: string, q: Record<string, string | number | undefined>, t = a) =>
    h.http().get(path).query(q).set(bearer(t.apiKey));

  it('issue 15: a crafted cursor gets 400 cursor_invalid, never 500', async () => {
    const dashes = Buffer.from(JSON.stringify([at(1).toISOString(), '-'.repeat(36)])).toString('base64url');
    for (const cursor of [dashes, 'garbage']) {
      const res = await get('/v1/reports/authentications', { ...NOV, limit: 3, cursor });
      expect({ cursor, status: res.status, code: res.body.code }).toEqual({
        cursor,
        status: 400,
        code: 'cursor_invalid',
      });
    }
  });

  it('pages the authentication report with a cursor, oldest first, only the tenant’s rows', async () => {
    const first = await get('/v1/reports/authentications', { ...NOV, limit: 3 });
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { userName: string }) => r.userName)).toEqual([
      'alice@a.example',
      'bob@a.example',
      '=cmd|calc@a.example',
    ]);
    const second = await get('/v1/reports/authentications', { ...NOV, limit: 3, cursor: first.body.nextCursor });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(JSON.stringify([first.body, second.body])).not.toContain('mallory');
  });

  it('filters by user, result, deny reason, method and client IP', async () => {
    const names = async (q: Record<string, string>) =>
      (await get('/v1/reports/authentications', { ...NOV, ...q })).body.items.map(
        (r: { userName: string }) => r.userName,
      );
    expect(await names({ userName: 'ALICE@a.example' })).toEqual(['alice@a.example', 'alice@a.example']);
    expect(await names({ result: 'deny' })).toEqual(['bob@a.example']);
    expect(await names({ denyReason: 'invalid_code' })).toEqual(['bob@a.example']);
    expect(await names({ method: 'oath_token' })).toEqual(['alice@a.example']);
    expect(await names({ clientIp: '203.0.113.1' })).toEqual(['alice@a.example']);
    expect(await names({ from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z' })).toEqual(['=cmd|calc@a.example']);
  });

  it('streams CSV (RFC 4180, header row, formula-safe), NDJSON and JSON', async () => {
    const csv = await get('/v1/reports/authentications', { ...NOV, format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^id,time,authenticationId,userName,/);
    expect(lines[0]).toContain('phoneNumber');
    expect(lines).toHaveLength(5);
    expect(csv.text).toContain("'=cmd|calc@a.example");
    expect(csv.text).toContain("'+14255550100");
    expect(csv.text).not.toContain('mallory');
    expect(lines[1]?.split(',')[1]).toBe('2026-11-01T12:00:00.000Z');

    // Filter values reach the CSV path as SQL literals: quotes and backslashes stay data.
    for (const userName of ["o'brien", "x' OR '1'='1", 'back\\slash']) {
      const filtered = await get('/v1/reports/authentications', { ...NOV, format: 'csv', userName });
      expect(filtered.status).toBe(200);
      expect(filtered.text.split('\r\n').filter(Boolean)).toHaveLength(1);
    }

    const nd = await get('/v1/reports/authentications', { ...NOV, format: 'ndjson' });
    const rows = nd.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ userName: 'alice@a.example', dataRegion: 'eu', phoneNumber: '+14255550100' });

    const json = await get('/v1/reports/authentications', { ...NOV, format: 'json' });
    expect(JSON.parse(json.text)).toHaveLength(4);
  });

  it('reports usage per provider and day or month', async () => {
    const days = await get('/v1/reports/usage', { ...NOV, granularity: 'day' });
    expect(days.status).toBe(200);
    expect(days.body.items).toEqual([
      expect.objectContaining({
        period: '2026-11-01',
        providerId: a.providerId,
        authentications: 2,
        sms: 1,
        app_code: 1,
        success: 1,
        deny: 1,
      }),
      expect.objectContaining({ period: '2026-11-02', authentications: 1, voice: 1 }),
      expect.objectContaining({ period: '2026-11-20', authentications: 1, oath_token: 1 }),
    ]);
    const month = await get('/v1/reports/usage', { ...NOV, granularity: 'month', format: 'csv' });
    const lines = month.text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      'period,providerId,authentications,sms,voice,app_notification,app_code,oath_token,app_password,success,deny,billableUsers,licensedUsers',
    );
    expect(lines[1]).toBe(`2026-11,${a.providerId},4,1,1,0,1,1,0,3,1,0,0`);
  });

  it('refuses bad ranges and formats with the error format', async () => {
    for (const q of [
      { from: NOV.to, to: NOV.from },
      { from: 'yesterday', to: NOV.to },
      { ...NOV, format: 'xlsx' },
      { from: NOV.from },
    ]) {
      const res = await get('/v1/reports/authentications', q);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed', correlationId: expect.any(String) });
    }
  });

  it('runs an export job with progress, then downloads it (gzip too); another tenant gets 404', async () => {
    for (const gzip of [false, true]) {
      const created = await h
        .http()
        .post('/v1/exports')
        .set(bearer(a.apiKey))
        .send({ report: 'authentications', format: 'csv', ...NOV, gzip });
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({ status: 'queued', progress: { rowsDone: 0, percent: 0 } });
      let state = created.body;
      for (let i = 0; i < 100 && state.status !== 'done' && state.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await h.http().get(`/v1/exports/${created.body.id}`).set(bearer(a.apiKey))).body;
      }
      expect(state).toMatchObject({ status: 'done', progress: { rowsDone: 4, rowsTotal: 4, percent: 100 } });
      const file = await h
        .http()
        .get(`/v1/exports/${created.body.id}/download`)
        .set(bearer(a.apiKey))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(file.status).toBe(200);
      const text = (gzip ? gunzipSync(file.body as Buffer) : (file.body as Buffer)).toString('utf8');
      expect(text.split('\r\n').filter(Boolean)).toHaveLength(5);
      expect(text).not.toContain('mallory');
      expect((await h.http().get(`/v1/exports/${created.body.id}`).set(bearer(b.apiKey))).status).toBe(404);
      expect((await h.http().get(`/v1/exports/${created.body.id}/download`).set(bearer(b.apiKey))).status).toBe(404);
    }
  });

  it('a usage export works too', async () => {
    const created = await h
      .http()
      .post('/v1/exports')
      .set(bearer(a.apiKey))
      .send({ report: 'usage', format: 'ndjson', ...NOV, filters: { granularity: 'month' } });
    let state = created.body;
    for (let i = 0; i < 100 && state.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await h.http().get(`/v1/exports/${created.body.id}`).set(bearer(a.apiKey))).body;
    }
    const file = await h.http().get(`/v1/exports/${created.body.id}/download`).set(bearer(a.apiKey));
    expect(JSON.parse(file.text.trim())).toMatchObject({ period: '2026-11', authentications: 4 });
  });

  it('cancelling a download stops the query (the cursor closes, the connection goes idle)', async () => {
    const big = await seedTenant(h, 'Big', 'us');
    const admin = new Client({ connectionString: h.db.adminUrl });
    await admin.connect();
    await admin.query(
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id, method, mode, result, data_region, correlation_id)
       SELECT $1, gen_random_uuid(), timestamptz '2026-11-05' + (g * interval '1 ms'), gen_random_uuid(), $2, 'u' || g, 'sms', 'sms', 'success', 'us', 'c'
         FROM generate_series(1, 200000) g`,
      [big.id, big.providerId],
    );
    const controller = new AbortController();
    const server = h.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const port = (server.address() as { port: number }).port;
    const res = await fetch(
      `http://127.0.0.1:${port}/v1/reports/authentications?from=${NOV.from}&to=${NOV.to}&format=csv`,
      {
        headers: bearer(big.apiKey),
        signal: controller.signal,
      },
    );
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    let active = 1;
    for (let i = 0; i < 50 && active > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const q = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'twofold-reporting' AND state <> 'idle'`,
        [h.db.name],
      );
      active = q.rows[0].n;
    }
    expect(active).toBe(0);
    await admin.end();
    // fetch keeps its connection alive: close it, or the server never finishes closing.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }, 60_000);
});

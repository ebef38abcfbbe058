import { adminQuery } from '@twofold/platform/testing';
import { ReportingHarness, SeededTenant, seedTenant, startReporting } from './harness';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** docs/decisions/0026: the reporting API refuses a suspended tenant's key (403 tenant_suspended, R29 body). */
describe('reporting API and a suspended tenant', () => {
  let h: ReportingHarness;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    h = await startReporting({ worker: false });
    a = await seedTenant(h, 'Suspended');
    b = await seedTenant(h, 'Other');
  });
  afterAll(() => h.close());

  it('refuses reports and exports with 403 tenant_suspended while suspended, and serves them again once resumed', async () => {
    const range = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
    await adminQuery(h.db, `UPDATE tenants SET suspended_at = now(), suspension_reason = 'test' WHERE id = $1`, [a.id]);
    const exportId = '00000000-0000-4000-8000-000000000000';
    for (const path of ['/v1/reports/authentications', '/v1/reports/usage', `/v1/exports/${exportId}/download`]) {
      const res = await h.http().get(path).query(range).set(bearer(a.apiKey));
      expect({ path, status: res.status, code: res.body.code }).toEqual({
        path,
        status: 403,
        code: 'tenant_suspended',
      });
      expect(res.body.correlationId).toEqual(res.headers['x-correlation-id']);
      expect(res.body.message).toMatch(/suspended/);
    }
    expect((await h.http().get('/v1/reports/usage').query(range).set(bearer(b.apiKey))).status).toBe(200);
    const created = await h
      .http()
      .post('/v1/exports')
      .set(bearer(a.apiKey))
      .send({ reportType: 'usage', format: 'csv', ...range });
    expect({ status: created.status, code: created.body.code }).toEqual({ status: 403, code: 'tenant_suspended' });

    await adminQuery(h.db, `UPDATE tenants SET suspended_at = NULL, suspension_reason = NULL WHERE id = $1`, [a.id]);
    expect((await h.http().get('/v1/reports/usage').query(range).set(bearer(a.apiKey))).status).toBe(200);
  });
});

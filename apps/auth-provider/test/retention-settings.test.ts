import { authProviderConfigSchema, loadConfig } from '@twofold/platform/config';
import { bearer, createTenant, expectError, Harness, startAuthProvider } from './harness';

/** Issue 16 item 2 (docs/decisions/0025): a tenant's retention, within the operator's bounds, audited. */
describe('tenant retention settings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider({ RECORD_RETENTION_DAYS_MIN: '100', RECORD_RETENTION_DAYS_MAX: '500' });
  });
  afterAll(() => h.close());

  it('defaults to null (the platform default); a value within the bounds is kept and audited', async () => {
    const t = await createTenant(h, 'Retains');
    const patch = (body: object) => h.http().patch(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).send(body);
    const got = await h.http().get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).expect(200);
    expect(got.body).toMatchObject({ recordRetentionDays: null, auditRetentionDays: null });

    const set = await patch({ recordRetentionDays: 100, auditRetentionDays: 365 }).expect(200);
    expect(set.body).toMatchObject({ recordRetentionDays: 100, auditRetentionDays: 365 });
    const log = await h.http().get('/v1/audit-log').query({ action: 'tenant.update' }).set(bearer(t.apiKey));
    expect(log.body.items).toEqual([
      expect.objectContaining({ details: { changed: { recordRetentionDays: 100, auditRetentionDays: 365 } } }),
    ]);

    expectError(await patch({ recordRetentionDays: 99 }), 400, 'retention_out_of_bounds');
    expectError(await patch({ recordRetentionDays: 501 }), 400, 'retention_out_of_bounds');
    expectError(await patch({ auditRetentionDays: 89 }), 400, 'retention_out_of_bounds');
    const refused = await patch({ recordRetentionDays: 20 });
    expect(refused.body.errors).toEqual([
      { field: 'recordRetentionDays', problems: [expect.stringMatching(/100 to 500/)] },
    ]);
    expectError(await patch({ recordRetentionDays: 'forever' }), 400, 'validation_failed');
    expectError(await patch({ recordRetentionDays: 120.5 }), 400, 'validation_failed');

    const back = await patch({ recordRetentionDays: null }).expect(200);
    expect(back.body).toMatchObject({ recordRetentionDays: null, auditRetentionDays: 365 });
  });

  it('bounds are checked at boot: MIN ≤ DEFAULT ≤ MAX, and no MIN below the billing floor', () => {
    const env = { NODE_ENV: 'test', OPERATOR_API_KEY: 'x'.repeat(32) };
    expect(() => loadConfig(authProviderConfigSchema, { ...env, RECORD_RETENTION_DAYS_MIN: '30' })).toThrow(
      /RECORD_RETENTION_DAYS_MIN: must be a whole number from 62/,
    );
    expect(() =>
      loadConfig(authProviderConfigSchema, {
        ...env,
        RECORD_RETENTION_DAYS_MIN: '500',
        RECORD_RETENTION_DAYS_MAX: '400',
      }),
    ).toThrow(/RECORD_RETENTION_DAYS_MIN: must not be above RECORD_RETENTION_DAYS_MAX/);
    expect(() => loadConfig(authProviderConfigSchema, { ...env, AUDIT_RETENTION_DAYS_DEFAULT: '5000' })).toThrow(
      /AUDIT_RETENTION_DAYS_DEFAULT: must be within/,
    );
    expect(loadConfig(authProviderConfigSchema, env)).toMatchObject({
      RECORD_RETENTION_DAYS_DEFAULT: 400,
      RECORD_RETENTION_DAYS_MIN: 90,
      RECORD_RETENTION_DAYS_MAX: 3650,
      AUDIT_RETENTION_DAYS_DEFAULT: 730,
    });
  });
});

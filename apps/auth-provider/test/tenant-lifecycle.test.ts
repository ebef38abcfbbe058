import { adminQuery } from '@twofold/platform/testing';
import { Clock } from '@twofold/platform/db';
import { bearer, createTenant, expectError, Harness, OPERATOR_KEY, startAuthProvider, TenantFixture } from './harness';

/**
 * docs/decisions/0026: the operator suspends, resumes and deletes (after a grace) a tenant. While it
 * is suspended every credential its systems use is refused with 403 `tenant_suspended` (R29 body);
 * nothing is deleted; a resume works at once.
 */
describe('tenant lifecycle: suspend, resume, delete after a grace (operator)', () => {
  let h: Harness;
  const op = bearer(OPERATOR_KEY);

  /** A tenant with a provider, an activated MFA server and a spare activation credential. */
  async function tenantWithServer(
    name: string,
  ): Promise<TenantFixture & { providerId: string; serverCredential: string; activationCredential: string }> {
    const t = await createTenant(h, name);
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Servers', billingModel: 'per_authentication', tenantId: null });
    const credential = async () =>
      (await h.http().post(`/v1/providers/${p.body.id}/activation-credentials`).set(bearer(t.apiKey)).send({})).body
        .credential as string;
    const activated = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: await credential(), name: 'mfa-01.contoso.local' });
    expect(activated.status).toBe(201);
    return {
      ...t,
      providerId: p.body.id,
      serverCredential: activated.body.serverCredential,
      activationCredential: await credential(),
    };
  }

  beforeAll(async () => {
    h = await startAuthProvider({ TENANT_DELETION_GRACE_DAYS: '30' });
  });
  afterAll(() => h.close());

  it('suspend refuses the API key, the MFA server credential and the activation credential with 403 tenant_suspended; resume restores them at once', async () => {
    const t = await tenantWithServer('Suspended Ltd');
    const other = await tenantWithServer('Bystander Ltd');

    const suspended = await h.http().post(`/v1/tenants/${t.id}/suspend`).set(op).send({ reason: 'unpaid invoices' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({
      id: t.id,
      state: 'suspended',
      suspensionReason: 'unpaid invoices',
      deletionDueAt: null,
      deletedAt: null,
    });
    expect(suspended.body.suspendedAt).not.toBeNull();

    expectError(await h.http().get('/v1/providers').set(bearer(t.apiKey)), 403, 'tenant_suspended');
    expectError(await h.http().get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)), 403, 'tenant_suspended');
    expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(t.serverCredential)), 403, 'tenant_suspended');
    expectError(
      await h
        .http()
        .post('/v1/mfa-servers/activate')
        .send({ activationCredential: t.activationCredential, name: 'mfa-02' }),
      403,
      'tenant_suspended',
    );
    // Another tenant is untouched; the operator sees the state.
    expect((await h.http().get('/v1/providers').set(bearer(other.apiKey))).status).toBe(200);
    expect((await h.http().get('/v1/mfa-servers/self').set(bearer(other.serverCredential))).status).toBe(200);
    const seen = await h.http().get(`/v1/tenants/${t.id}`).set(op);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ state: 'suspended', suspensionReason: 'unpaid invoices' });

    // Nothing was deleted: keys, servers and the unused activation credential are all still there.
    const [counts] = await adminQuery<{ keys: number; servers: number; creds: number }>(
      h.db,
      `SELECT (SELECT count(*)::int FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL) AS keys,
              (SELECT count(*)::int FROM mfa_servers WHERE tenant_id = $1 AND revoked_at IS NULL) AS servers,
              (SELECT count(*)::int FROM mfa_server_activation_credentials
                WHERE tenant_id = $1 AND used_at IS NULL AND revoked_at IS NULL) AS creds`,
      [t.id],
    );
    expect(counts).toEqual({ keys: 1, servers: 1, creds: 1 });

    // Suspending again changes nothing (one audit entry).
    const again = await h.http().post(`/v1/tenants/${t.id}/suspend`).set(op).send({ reason: 'other reason' });
    expect(again.body.suspensionReason).toBe('unpaid invoices');

    const resumed = await h.http().post(`/v1/tenants/${t.id}/resume`).set(op);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ state: 'active', suspendedAt: null, suspensionReason: null });
    expect((await h.http().get('/v1/providers').set(bearer(t.apiKey))).status).toBe(200);
    expect((await h.http().get('/v1/mfa-servers/self').set(bearer(t.serverCredential))).status).toBe(200);
    const activated = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: t.activationCredential, name: 'mfa-02' });
    expect(activated.status).toBe(201);

    const audit = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(t.apiKey));
    const lifecycle = audit.body.items.filter(
      (e: { action: string }) => e.action.startsWith('tenant.s') || e.action === 'tenant.resume',
    );
    expect(lifecycle.map((e: { action: string; actor: unknown }) => e.action).sort()).toEqual([
      'tenant.resume',
      'tenant.suspend',
    ]);
    for (const e of lifecycle) expect(JSON.stringify(e)).toContain('operator');
  });

  it('DELETE schedules the deletion TENANT_DELETION_GRACE_DAYS ahead and suspends at once; resume in the grace cancels it', async () => {
    const t = await tenantWithServer('Leaving Ltd');
    const now = new Date('2026-12-03T10:00:00Z');
    h.app.get(Clock).now = () => new Date(now);
    try {
      const res = await h.http().delete(`/v1/tenants/${t.id}`).set(op);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        state: 'deletion_scheduled',
        deletionDueAt: '2027-01-02T10:00:00.000Z',
        suspensionReason: 'deletion scheduled',
      });
      expectError(await h.http().get('/v1/users').set(bearer(t.apiKey)), 403, 'tenant_suspended');
      expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(t.serverCredential)), 403, 'tenant_suspended');
      // Asking again keeps the first date.
      h.app.get(Clock).now = () => new Date(now.getTime() + 86_400_000);
      expect((await h.http().delete(`/v1/tenants/${t.id}`).set(op)).body.deletionDueAt).toBe(
        '2027-01-02T10:00:00.000Z',
      );

      const resumed = await h.http().post(`/v1/tenants/${t.id}/resume`).set(op);
      expect(resumed.body).toMatchObject({ state: 'active', deletionDueAt: null, suspendedAt: null });
      expect((await h.http().get('/v1/users').set(bearer(t.apiKey))).status).toBe(200);
      const [row] = await adminQuery<{ due: Date | null }>(
        h.db,
        'SELECT deletion_due_at AS due FROM tenants WHERE id = $1',
        [t.id],
      );
      expect(row.due).toBeNull();
      const actions = await adminQuery<{ action: string; actor_type: string }>(
        h.db,
        `SELECT action, actor_type::text FROM audit_log WHERE tenant_id = $1 AND action LIKE 'tenant.%' ORDER BY occurred_at`,
        [t.id],
      );
      expect(actions.filter((a) => a.action !== 'tenant.create')).toEqual([
        { action: 'tenant.deletion_schedule', actor_type: 'operator' },
        { action: 'tenant.resume', actor_type: 'operator' },
      ]);
    } finally {
      h.app.get(Clock).now = () => new Date();
    }
  });

  it('once the deletion started (grace over), suspend, resume and delete answer 409 tenant_deletion_started', async () => {
    const t = await createTenant(h, 'Gone Ltd');
    await h.http().delete(`/v1/tenants/${t.id}`).set(op).expect(202);
    await adminQuery(h.db, 'UPDATE tenants SET deletion_started_at = now() WHERE id = $1', [t.id]);
    expectError(await h.http().post(`/v1/tenants/${t.id}/resume`).set(op), 409, 'tenant_deletion_started');
    expectError(
      await h.http().post(`/v1/tenants/${t.id}/suspend`).set(op).send({ reason: 'x' }),
      409,
      'tenant_deletion_started',
    );
    expectError(await h.http().delete(`/v1/tenants/${t.id}`).set(op), 409, 'tenant_deletion_started');
    expect((await h.http().get(`/v1/tenants/${t.id}`).set(op)).body.state).toBe('deleting');
    expectError(await h.http().get('/v1/users').set(bearer(t.apiKey)), 403, 'tenant_suspended');
  });

  it('operator matrix: tenant keys (own or another tenant’s) get 403 operator_key_required and change nothing', async () => {
    const a = await createTenant(h, 'A Ltd');
    const b = await createTenant(h, 'B Ltd');
    for (const key of [a.apiKey, b.apiKey]) {
      expectError(
        await h.http().post(`/v1/tenants/${a.id}/suspend`).set(bearer(key)).send({ reason: 'x' }),
        403,
        'operator_key_required',
      );
      expectError(await h.http().post(`/v1/tenants/${a.id}/resume`).set(bearer(key)), 403, 'operator_key_required');
      expectError(await h.http().delete(`/v1/tenants/${a.id}`).set(bearer(key)), 403, 'operator_key_required');
    }
    // B's key reading A's tenant: 404 as for any other object.
    expectError(await h.http().get(`/v1/tenants/${a.id}`).set(bearer(b.apiKey)), 404, 'tenant_not_found');
    expect((await h.http().get(`/v1/tenants/${a.id}`).set(bearer(a.apiKey))).body.state).toBe('active');
  });

  it('bad input: a missing reason is 400, an unknown or malformed tenant 404, never 500', async () => {
    const t = await createTenant(h, 'Input Ltd');
    expectError(await h.http().post(`/v1/tenants/${t.id}/suspend`).set(op).send({}), 400, 'validation_failed');
    expectError(
      await h
        .http()
        .post(`/v1/tenants/${t.id}/suspend`)
        .set(op)
        .send({ reason: 'x'.repeat(501) }),
      400,
      'validation_failed',
    );
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectError(
      await h.http().post(`/v1/tenants/${unknown}/suspend`).set(op).send({ reason: 'x' }),
      404,
      'tenant_not_found',
    );
    expectError(await h.http().post(`/v1/tenants/${unknown}/resume`).set(op), 404, 'tenant_not_found');
    expectError(await h.http().delete(`/v1/tenants/${unknown}`).set(op), 404, 'tenant_not_found');
    expectError(await h.http().get(`/v1/tenants/${unknown}`).set(op), 404, 'tenant_not_found');
    expectError(await h.http().delete('/v1/tenants/not-a-uuid').set(op), 404, 'tenant_not_found');
  });
});

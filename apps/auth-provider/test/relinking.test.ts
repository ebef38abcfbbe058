import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

/** A user with one active mobile app activation, written directly (the devices API is another issue). */
async function userWithDevice(h: Harness, tenantId: string): Promise<{ userId: string; deviceId: string }> {
  const [user] = await adminQuery<{ id: string }>(
    h.db,
    `INSERT INTO users (tenant_id, id, user_name, updated_at) VALUES ($1, gen_random_uuid(), $2, now()) RETURNING id`,
    [tenantId, `u-${Math.random().toString(36).slice(2)}@contoso.example`],
  );
  const [device] = await adminQuery<{ id: string }>(
    h.db,
    `INSERT INTO device_activations (tenant_id, id, user_id, device_token, seed_ciphertext, key_id)
     VALUES ($1, gen_random_uuid(), $2, 'push-token', '\\x00'::bytea, 'k1') RETURNING id`,
    [tenantId, user?.id],
  );
  return { userId: user?.id as string, deviceId: device?.id as string };
}

async function deviceState(h: Harness, id: string): Promise<{ active: boolean; deactivated_at: Date | null }> {
  const [row] = await adminQuery<{ active: boolean; deactivated_at: Date | null }>(
    h.db,
    'SELECT active, deactivated_at FROM device_activations WHERE id = $1',
    [id],
  );
  return row as { active: boolean; deactivated_at: Date | null };
}

describe('re-linking a provider (R8, R12, R18)', () => {
  let h: Harness;
  let t: TenantFixture;
  let other: TenantFixture;

  const credentialFor = async (providerId: string) => {
    const res = await h
      .http()
      .post(`/v1/providers/${providerId}/activation-credentials`)
      .set(bearer(t.apiKey))
      .send({});
    return res.body.credential as string;
  };
  const activate = async (providerId: string) => {
    const res = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: await credentialFor(providerId), name: 'mfa-01' });
    expect(res.status).toBe(201);
    return res.body as { serverId: string; serverCredential: string };
  };
  const link = (providerId: string, tenantId: string | null, key = t.apiKey) =>
    h.http().post(`/v1/providers/${providerId}/link`).set(bearer(key)).send({ tenantId });

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
    other = await createTenant(h, 'Fabrikam');
  });
  afterAll(() => h.close());

  it('R8: unlinking revokes every server (reactivation_required), old activation credentials, and app activations', async () => {
    const p = await h.http().post('/v1/providers').set(bearer(t.apiKey)).send({ name: 'P', billingModel: 'per_user' });
    const server = await activate(p.body.id);
    const pending = await credentialFor(p.body.id);
    const mine = await userWithDevice(h, t.id);
    const theirs = await userWithDevice(h, other.id);

    const res = await link(p.body.id, null);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: p.body.id, tenantId: null, billingModel: 'per_user' });

    // R12/R8: the old server credential stops working at once, and the admin sees why.
    expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(server.serverCredential)), 401, 'unauthorized');
    const got = await h.http().get(`/v1/mfa-servers/${server.serverId}`).set(bearer(t.apiKey));
    expect(got.body).toMatchObject({ status: 'reactivation_required', revokedAt: expect.any(String) });
    // Credentials generated before the link change cannot re-activate it.
    expectError(
      await h.http().post('/v1/mfa-servers/activate').send({ activationCredential: pending, name: 'x' }),
      401,
      'activation_credential_invalid',
    );
    // A new activation credential works.
    const again = await activate(p.body.id);
    const self = await h.http().get('/v1/mfa-servers/self').set(bearer(again.serverCredential));
    expect(self.body).toMatchObject({ status: 'active', providerId: p.body.id });

    // R8/R18: app activations of the tenant left are invalidated; another tenant's are not.
    expect(await deviceState(h, mine.deviceId)).toMatchObject({ active: false, deactivated_at: expect.any(Date) });
    expect(await deviceState(h, theirs.deviceId)).toMatchObject({ active: true, deactivated_at: null });

    const log = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(t.apiKey));
    const entry = log.body.items.find(
      (e: { action: string; targetId: string }) => e.action === 'provider.link' && e.targetId === p.body.id,
    );
    expect(entry.details).toMatchObject({
      before: { tenantId: t.id },
      after: { tenantId: null },
      mfaServersRequiringReactivation: [server.serverId],
      deviceActivationsInvalidated: { [t.id]: 1 },
    });
    expect(JSON.stringify(log.body)).not.toContain(server.serverCredential);
  });

  it('R8: linking an unlinked provider to the tenant invalidates the tenant’s app activations and servers', async () => {
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Servers only', billingModel: 'per_authentication', tenantId: null });
    const server = await activate(p.body.id);
    const device = await userWithDevice(h, t.id);

    const res = await link(p.body.id, t.id);
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe(t.id);
    expect(await deviceState(h, device.deviceId)).toMatchObject({ active: false });
    expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(server.serverCredential)), 401, 'unauthorized');
  });

  it('R8: linking to the current link changes nothing', async () => {
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Same', billingModel: 'per_user' });
    const server = await activate(p.body.id);
    const device = await userWithDevice(h, t.id);
    const res = await link(p.body.id, t.id);
    expect(res.status).toBe(200);
    expect((await h.http().get('/v1/mfa-servers/self').set(bearer(server.serverCredential))).status).toBe(200);
    expect(await deviceState(h, device.deviceId)).toMatchObject({ active: true });
  });

  it('R8: creating a provider linked to the tenant invalidates its app activations; an unlinked one does not', async () => {
    const device = await userWithDevice(h, t.id);
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Unlinked', billingModel: 'per_authentication', tenantId: null });
    expect(await deviceState(h, device.deviceId)).toMatchObject({ active: true });
    const created = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'New', billingModel: 'per_authentication' });
    expect(created.status).toBe(201);
    expect(await deviceState(h, device.deviceId)).toMatchObject({ active: false, deactivated_at: expect.any(Date) });
  });

  it('R8: linking to another tenant without its consent is tenant_not_found and changes nothing', async () => {
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Mine', billingModel: 'per_user' });
    const server = await activate(p.body.id);
    const theirs = await userWithDevice(h, other.id);
    expectError(await link(p.body.id, other.id), 404, 'tenant_not_found');
    expect((await h.http().get(`/v1/providers/${p.body.id}`).set(bearer(t.apiKey))).body.tenantId).toBe(t.id);
    expect((await h.http().get('/v1/mfa-servers/self').set(bearer(server.serverCredential))).status).toBe(200);
    expect(await deviceState(h, theirs.deviceId)).toMatchObject({ active: true });
  });

  describe('linking to another tenant with its consent (R8)', () => {
    const consent = async (body: object = {}, key = other.apiKey) => {
      const res = await h.http().post('/v1/link-consents').set(bearer(key)).send(body);
      expect(res.status).toBe(201);
      expect(res.body.consentToken).toMatch(/^tfc_/);
      return res.body as { id: string; consentToken: string };
    };
    const linkWith = (providerId: string, tenantId: string, consentToken?: string) =>
      h.http().post(`/v1/providers/${providerId}/link`).set(bearer(t.apiKey)).send({ tenantId, consentToken });
    const newProvider = async (billingModel = 'per_user') =>
      (await h.http().post('/v1/providers').set(bearer(t.apiKey)).send({ name: 'Moving', billingModel })).body
        .id as string;

    it('moves the link, re-activation is required, and both tenants’ app activations stop (R18 follows)', async () => {
      const providerId = await newProvider();
      const server = await activate(providerId);
      const mine = await userWithDevice(h, t.id);
      const theirs = await userWithDevice(h, other.id);
      const c = await consent({ providerId });

      const res = await linkWith(providerId, other.id, c.consentToken);
      expect(res.status).toBe(200);
      expect(res.body.tenantId).toBe(other.id);
      expect(await deviceState(h, mine.deviceId)).toMatchObject({ active: false });
      expect(await deviceState(h, theirs.deviceId)).toMatchObject({ active: false });
      expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(server.serverCredential)), 401, 'unauthorized');
      const again = await activate(providerId);
      expect((await h.http().get('/v1/mfa-servers/self').set(bearer(again.serverCredential))).status).toBe(200);

      const theirLog = await h
        .http()
        .get('/v1/audit-log')
        .query({ action: 'device_activation.invalidate_all' })
        .set(bearer(other.apiKey));
      expect(theirLog.body.items.at(-1)).toMatchObject({
        actorType: 'system',
        details: { providerId, ownerTenantId: t.id },
      });

      const consents = await h.http().get('/v1/link-consents').set(bearer(other.apiKey));
      expect(consents.body.items.find((x: { id: string }) => x.id === c.id)).toMatchObject({ usedByTenantId: t.id });
      expect(JSON.stringify(consents.body)).not.toContain(c.consentToken);
    });

    it('a consent works once, for its provider, before it expires, unless withdrawn; every refusal reads tenant_not_found', async () => {
      const providerId = await newProvider();
      const otherProvider = await newProvider();
      const used = await consent({ providerId: otherProvider });
      await linkWith(otherProvider, other.id, used.consentToken).expect(200);
      await link(otherProvider, t.id).expect(200);
      expectError(await linkWith(otherProvider, other.id, used.consentToken), 404, 'tenant_not_found');

      const forAnother = await consent({ providerId: otherProvider });
      expectError(await linkWith(providerId, other.id, forAnother.consentToken), 404, 'tenant_not_found');

      const expired = await consent({ providerId });
      await adminQuery(
        h.db,
        `UPDATE provider_link_consents SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [expired.id],
      );
      expectError(await linkWith(providerId, other.id, expired.consentToken), 404, 'tenant_not_found');

      const withdrawn = await consent({ providerId });
      await h.http().delete(`/v1/link-consents/${withdrawn.id}`).set(bearer(other.apiKey)).expect(204);
      expectError(await linkWith(providerId, other.id, withdrawn.consentToken), 404, 'tenant_not_found');

      const third = await createTenant(h, 'Third');
      const wrongTenant = await consent({ providerId }, third.apiKey);
      expectError(await linkWith(providerId, other.id, wrongTenant.consentToken), 404, 'tenant_not_found');
      expectError(await linkWith(providerId, other.id, 'tfc_' + 'A'.repeat(43)), 404, 'tenant_not_found');

      expect((await h.http().get(`/v1/providers/${providerId}`).set(bearer(t.apiKey))).body.tenantId).toBe(t.id);
    });

    it('R5 counts the linked tenant’s users: its unlicensed MFA-enabled users hold back deletion', async () => {
      const providerId = await newProvider('per_user');
      const c = await consent({ providerId });
      await linkWith(providerId, other.id, c.consentToken).expect(200);
      await h
        .http()
        .post('/v1/users')
        .set(bearer(other.apiKey))
        .send({ userName: 'blocker@fabrikam.example', mfaEnabled: true })
        .expect(201);
      const refused = await h.http().delete(`/v1/providers/${providerId}`).set(bearer(t.apiKey));
      expectError(refused, 409, 'unlicensed_users_remain');
      expect(refused.body.count).toBeGreaterThanOrEqual(1);
    });
  });

  it('R29: bad link input → 400', async () => {
    const p = await h.http().post('/v1/providers').set(bearer(t.apiKey)).send({ name: 'B', billingModel: 'per_user' });
    for (const body of [{}, { tenantId: 'nope' }, { tenantId: 7 }, { tenantId: null, extra: true }]) {
      expectError(
        await h.http().post(`/v1/providers/${p.body.id}/link`).set(bearer(t.apiKey)).send(body),
        400,
        'validation_failed',
      );
    }
  });
});

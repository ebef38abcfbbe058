import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, expectError, Harness, OPERATOR_KEY, startAuthProvider } from './harness';

describe('tenants and API keys', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider();
  });
  afterAll(() => h.close());

  it('the operator creates a tenant and gets its first key once', async () => {
    const res = await h
      .http()
      .post('/v1/tenants')
      .set(bearer(OPERATOR_KEY))
      .send({ name: 'Contoso', dataRegion: 'eu' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Contoso', dataRegion: 'eu', tier: 'standard' });
    expect(res.body.apiKey).toMatch(/^tfk_/);

    const me = await h.http().get(`/v1/tenants/${res.body.id}`).set(bearer(res.body.apiKey));
    expect(me.status).toBe(200);
    expect(me.body.apiKey).toBeUndefined();
    expect(me.body).toMatchObject({ id: res.body.id, dataRegion: 'eu' });
  });

  it('records when a key was last used', async () => {
    const t = await createTenant(h);
    await h.http().get('/v1/providers').set(bearer(t.apiKey)).expect(200);
    const keys = await h.http().get('/v1/api-keys').set(bearer(t.apiKey));
    expect(keys.body.items[0].lastUsedAt).not.toBeNull();
  });

  it('stores keys only as hashes', async () => {
    const t = await createTenant(h);
    const rows = await adminQuery<{ key_hash: string; prefix: string }>(
      h.db,
      'SELECT * FROM api_keys WHERE tenant_id = $1',
      [t.id],
    );
    expect(rows).toHaveLength(1);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(t.apiKey);
    expect(dump).not.toContain(t.apiKey.slice(12));
  });

  it('only the operator key creates tenants; operator key cannot act as a tenant', async () => {
    const t = await createTenant(h);
    expectError(
      await h.http().post('/v1/tenants').set(bearer(t.apiKey)).send({ name: 'x', dataRegion: 'us' }),
      403,
      'operator_key_required',
    );
    expectError(await h.http().get('/v1/providers').set(bearer(OPERATOR_KEY)), 403, 'tenant_key_required');
  });

  it('no key, a malformed key, an unknown key: 401 with the error format', async () => {
    expectError(await h.http().get('/v1/providers'), 401, 'unauthorized');
    expectError(await h.http().get('/v1/providers').set('authorization', 'Basic Zm9vOmJhcg=='), 401, 'unauthorized');
    expectError(
      await h
        .http()
        .get('/v1/providers')
        .set(bearer('tfk_' + 'A'.repeat(43))),
      401,
      'unauthorized',
    );
    expectError(
      await h
        .http()
        .get('/v1/providers')
        .set(bearer('x'.repeat(5000))),
      401,
      'unauthorized',
    );
  });

  it('updates its own name and app-password setting; the data region cannot change', async () => {
    const t = await createTenant(h, 'Before', 'us');
    const ok = await h
      .http()
      .patch(`/v1/tenants/${t.id}`)
      .set(bearer(t.apiKey))
      .send({ name: 'After', appPasswordsAllowed: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: 'After', appPasswordsAllowed: true, dataRegion: 'us' });
    expectError(
      await h.http().patch(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).send({ dataRegion: 'eu' }),
      409,
      'data_region_immutable',
    );
  });

  it('a revoked key stops working at once', async () => {
    const t = await createTenant(h);
    const second = await h.http().post('/v1/api-keys').set(bearer(t.apiKey)).send({ name: 'automation' });
    expect(second.status).toBe(201);
    expect(second.body.apiKey).toMatch(/^tfk_/);
    expect((await h.http().get('/v1/providers').set(bearer(second.body.apiKey))).status).toBe(200);

    const revoke = await h.http().delete(`/v1/api-keys/${second.body.id}`).set(bearer(t.apiKey));
    expect(revoke.status).toBe(204);
    expectError(await h.http().get('/v1/providers').set(bearer(second.body.apiKey)), 401, 'unauthorized');

    const listed = await h.http().get('/v1/api-keys').set(bearer(t.apiKey));
    const row = listed.body.items.find((k: { id: string }) => k.id === second.body.id);
    expect(row.revokedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(second.body.apiKey);
  });

  it('refuses to revoke the last active key', async () => {
    const t = await createTenant(h);
    const keys = await h.http().get('/v1/api-keys').set(bearer(t.apiKey));
    expectError(
      await h.http().delete(`/v1/api-keys/${keys.body.items[0].id}`).set(bearer(t.apiKey)),
      409,
      'last_api_key',
    );
  });

  it('a key may revoke itself when another active key remains; concurrent revocations keep one key alive', async () => {
    const t = await createTenant(h);
    const k2 = await h.http().post('/v1/api-keys').set(bearer(t.apiKey)).send({ name: 'two' });
    const keys = await h.http().get('/v1/api-keys').set(bearer(t.apiKey));
    const ids: string[] = keys.body.items.map((k: { id: string }) => k.id);
    const results = await Promise.all([
      h.http().delete(`/v1/api-keys/${ids[0]}`).set(bearer(t.apiKey)),
      h.http().delete(`/v1/api-keys/${ids[1]}`).set(bearer(k2.body.apiKey)),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // Either one revocation wins and the other is refused, or the loser's own key was the one revoked (401).
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    const active = await adminQuery(h.db, 'SELECT id FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL', [
      t.id,
    ]);
    expect(active).toHaveLength(1);
  });
});

import { bearer, createPool, createTenant, createUser, expectError, Harness, startAuthProvider } from './harness';

const TERM = { termStart: '2026-01-01T00:00:00Z', termEnd: '2099-01-01T00:00:00Z' };

describe('R5: deleting a per_user provider', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider();
  });
  afterAll(() => h.close());

  it('is refused with unlicensed_users_remain and the count while an MFA-enabled user has no license; succeeds once all are licensed', async () => {
    const t = await createTenant(h);
    const provider = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per user', billingModel: 'per_user' });
    const pool = { body: await createPool(h, t, 5, TERM) };
    const [a, b] = [await createUser(h, t, { mfaEnabled: true }), await createUser(h, t, { mfaEnabled: true })];
    await createUser(h, t, { mfaEnabled: false }); // not enabled: does not count

    const refused = await h.http().delete(`/v1/providers/${provider.body.id}`).set(bearer(t.apiKey));
    expectError(refused, 409, 'unlicensed_users_remain');
    expect(refused.body.count).toBe(2);

    await h
      .http()
      .post(`/v1/license-pools/${pool.body.id}/assignments`)
      .set(bearer(t.apiKey))
      .send({ userId: a.id })
      .expect(201);
    const stillRefused = await h.http().delete(`/v1/providers/${provider.body.id}`).set(bearer(t.apiKey));
    expect(stillRefused.body).toMatchObject({ code: 'unlicensed_users_remain', count: 1 });

    await h
      .http()
      .post(`/v1/license-pools/${pool.body.id}/assignments`)
      .set(bearer(t.apiKey))
      .send({ userId: b.id })
      .expect(201);
    await h.http().delete(`/v1/providers/${provider.body.id}`).set(bearer(t.apiKey)).expect(204);

    // "A new per_user provider can be created later at any time."
    const again = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per user again', billingModel: 'per_user' });
    expect(again.status).toBe(201);
  });

  it('R6: a per_authentication provider is not held back by unlicensed users', async () => {
    const t = await createTenant(h);
    const provider = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication' });
    await createUser(h, t, { mfaEnabled: true });
    await h.http().delete(`/v1/providers/${provider.body.id}`).set(bearer(t.apiKey)).expect(204);
  });

  it('R7: a per_user provider without a tenant link serves no cloud users, so none hold it back', async () => {
    const t = await createTenant(h);
    const provider = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Servers only', billingModel: 'per_user', tenantId: null });
    await createUser(h, t, { mfaEnabled: true });
    await h.http().delete(`/v1/providers/${provider.body.id}`).set(bearer(t.apiKey)).expect(204);
  });
});

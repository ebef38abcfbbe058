import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

describe('MFA providers (R1, R7)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  it.each(['per_user', 'per_authentication'])(
    'creates a %s provider linked to the tenant by default (R1, R7)',
    async (model) => {
      const res = await h
        .http()
        .post('/v1/providers')
        .set(bearer(t.apiKey))
        .send({ name: `P ${model}`, billingModel: model });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: `P ${model}`, billingModel: model, tenantId: t.id });
      expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.recordFields).toMatchObject({ email: true, clientIp: true });

      const got = await h.http().get(`/v1/providers/${res.body.id}`).set(bearer(t.apiKey));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    },
  );

  it('creates a provider with no tenant link (R7)', async () => {
    const res = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Servers only', billingModel: 'per_authentication', tenantId: null });
    expect(res.status).toBe(201);
    expect(res.body.tenantId).toBeNull();
  });

  it('refuses a link to another tenant as not found (R7, isolation)', async () => {
    const other = await createTenant(h, 'Fabrikam');
    const res = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'x', billingModel: 'per_user', tenantId: other.id });
    expectError(res, 404, 'tenant_not_found');
  });

  describe('billing model is immutable (R1)', () => {
    let id: string;
    beforeAll(async () => {
      const res = await h
        .http()
        .post('/v1/providers')
        .set(bearer(t.apiKey))
        .send({ name: 'Fixed', billingModel: 'per_user' });
      id = res.body.id;
    });

    it('answers 409 billing_model_immutable and says to create a new provider', async () => {
      const res = await h
        .http()
        .patch(`/v1/providers/${id}`)
        .set(bearer(t.apiKey))
        .send({ billingModel: 'per_authentication' });
      expectError(res, 409, 'billing_model_immutable');
      expect(res.body.message).toMatch(/create a new provider/i);
      const got = await h.http().get(`/v1/providers/${id}`).set(bearer(t.apiKey));
      expect(got.body.billingModel).toBe('per_user');
    });

    it('changes nothing else in a refused request', async () => {
      const res = await h
        .http()
        .patch(`/v1/providers/${id}`)
        .set(bearer(t.apiKey))
        .send({ name: 'Renamed in vain', billingModel: 'per_authentication' });
      expect(res.status).toBe(409);
      const got = await h.http().get(`/v1/providers/${id}`).set(bearer(t.apiKey));
      expect(got.body.name).toBe('Fixed');
    });

    it('accepts the same model again with other changes', async () => {
      const res = await h
        .http()
        .patch(`/v1/providers/${id}`)
        .set(bearer(t.apiKey))
        .send({
          billingModel: 'per_user',
          name: 'Renamed',
          voiceCallerId: '+14255550100',
          recordFields: { email: false },
        });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Renamed', billingModel: 'per_user', voiceCallerId: '+14255550100' });
      expect(res.body.recordFields).toMatchObject({ email: false, firstName: true });
    });

    it('is also refused by the database itself (backstop trigger)', async () => {
      await expect(
        adminQuery(h.db, `UPDATE providers SET billing_model = 'per_authentication' WHERE id = $1`, [id]),
      ).rejects.toThrow(/billing_model_immutable/);
    });
  });

  it('lists providers with cursor pagination', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const res = await h
        .http()
        .get('/v1/providers')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.apiKey));
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('deletes a provider: gone from the API, kept in the database for billing history', async () => {
    const created = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Doomed', billingModel: 'per_user' });
    const del = await h.http().delete(`/v1/providers/${created.body.id}`).set(bearer(t.apiKey));
    expect(del.status).toBe(204);
    expectError(
      await h.http().get(`/v1/providers/${created.body.id}`).set(bearer(t.apiKey)),
      404,
      'provider_not_found',
    );
    expectError(
      await h.http().delete(`/v1/providers/${created.body.id}`).set(bearer(t.apiKey)),
      404,
      'provider_not_found',
    );
    const rows = await adminQuery<{ deleted_at: Date | null }>(h.db, 'SELECT deleted_at FROM providers WHERE id = $1', [
      created.body.id,
    ]);
    expect(rows[0]?.deleted_at).toBeInstanceOf(Date);
  });

  it('audits every change with the correlation id', async () => {
    const res = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .set('x-correlation-id', 'corr-provider-audit-1')
      .send({ name: 'Audited', billingModel: 'per_authentication' });
    const log = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(t.apiKey));
    const entry = log.body.items.find((e: { targetId: string }) => e.targetId === res.body.id);
    expect(entry).toMatchObject({
      action: 'provider.create',
      actorType: 'api_key',
      correlationId: 'corr-provider-audit-1',
    });
  });
});

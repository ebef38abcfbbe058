import { bearer, createTenant, createUser, Harness, OPERATOR_KEY, startAuthProvider } from './harness';

describe('admin audit log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider();
  });
  afterAll(() => h.close());

  it('records who changed what, when, before/after and the correlation id; filters combine', async () => {
    const t = await createTenant(h);
    const keys = await h.http().get('/v1/api-keys').set(bearer(t.apiKey));
    const keyId = keys.body.items[0].id as string;
    const u = await createUser(h, t, { mfaEnabled: false });
    await h
      .http()
      .patch(`/v1/users/${u.id}`)
      .set(bearer(t.apiKey))
      .set('x-correlation-id', 'audit-enable-mfa')
      .send({ mfaEnabled: true })
      .expect(200);

    const forUser = await h
      .http()
      .get('/v1/audit-log')
      .query({ targetType: 'user', targetId: u.id })
      .set(bearer(t.apiKey));
    expect(forUser.body.items.map((e: { action: string }) => e.action)).toEqual(['user.create', 'user.mfa_enable']);
    const enable = forUser.body.items[1];
    expect(enable).toMatchObject({
      actorType: 'api_key',
      actorId: keyId,
      correlationId: 'audit-enable-mfa',
      details: { before: { mfaEnabled: false }, after: { mfaEnabled: true } },
    });
    expect(new Date(enable.occurredAt).getTime()).toBeLessThanOrEqual(Date.now());

    const byAction = await h.http().get('/v1/audit-log').query({ action: 'tenant.create' }).set(bearer(t.apiKey));
    expect(byAction.body.items).toEqual([expect.objectContaining({ actorType: 'operator', targetId: t.id })]);

    const future = await h.http().get('/v1/audit-log').query({ from: '2999-01-01T00:00:00Z' }).set(bearer(t.apiKey));
    expect(future.body.items).toEqual([]);
    const bad = await h.http().get('/v1/audit-log').query({ from: 'yesterday' }).set(bearer(t.apiKey));
    expect(bad.status).toBe(400);
  });

  it('never holds secrets', async () => {
    const res = await h
      .http()
      .post('/v1/tenants')
      .set(bearer(OPERATOR_KEY))
      .send({ name: 'Secretive', dataRegion: 'uk' });
    const key = await h.http().post('/v1/api-keys').set(bearer(res.body.apiKey)).send({ name: 'second' });
    const log = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(res.body.apiKey));
    const dump = JSON.stringify(log.body);
    expect(dump).not.toContain(res.body.apiKey);
    expect(dump).not.toContain(key.body.apiKey);
  });
});

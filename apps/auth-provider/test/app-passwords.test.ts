import { adminQuery } from '@twofold/platform/testing';
import { verifyAppPassword } from '@twofold/directory/domain';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

describe('app passwords (R16, R17)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  const allow = (value: boolean) =>
    h.http().patch(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).send({ appPasswordsAllowed: value });

  it('R17: refused with app_passwords_not_allowed while the tenant forbids them', async () => {
    await allow(false);
    const u = await createUser(h, t);
    const res = await h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey)).send({ name: 'Mail' });
    expectError(res, 409, 'app_passwords_not_allowed');
    expect(res.body.message).toMatch(/appPasswordsAllowed/);
  });

  it('R17: creates one shown once, stored only as an scrypt hash', async () => {
    await allow(true);
    const u = await createUser(h, t);
    const res = await h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey)).send({ name: 'Mail' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'name', 'password']);
    expect(res.body.password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(res.body.password).not.toMatch(/[0O1lI]/);

    const [row] = await adminQuery<{ password_hash: string }>(
      h.db,
      'SELECT password_hash FROM app_passwords WHERE tenant_id = $1 AND id = $2',
      [t.id, res.body.id],
    );
    expect(row?.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(row?.password_hash).not.toContain(res.body.password);
    await expect(verifyAppPassword(res.body.password as string, row?.password_hash as string)).resolves.toBe(true);

    const list = await h.http().get(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey));
    expect(list.body.items).toEqual([
      { id: res.body.id, name: 'Mail', createdAt: res.body.createdAt, lastUsedAt: null },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(res.body.password);
  });

  it('deletes one, then 404 app_password_not_found', async () => {
    await allow(true);
    const u = await createUser(h, t);
    const created = await h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey)).send({ name: 'x' });
    const url = `/v1/users/${u.id}/app-passwords/${created.body.id}`;
    expect((await h.http().delete(url).set(bearer(t.apiKey))).status).toBe(204);
    expectError(await h.http().delete(url).set(bearer(t.apiKey)), 404, 'app_password_not_found');
  });

  it('R16: lost phone — one call deletes all of the user’s app passwords and no one else’s', async () => {
    await allow(true);
    const u = await createUser(h, t);
    const other = await createUser(h, t);
    for (const name of ['Mail', 'Calendar', 'Sync']) {
      await h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey)).send({ name });
    }
    await h.http().post(`/v1/users/${other.id}/app-passwords`).set(bearer(t.apiKey)).send({ name: 'Mail' });
    const res = await h.http().delete(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 3 });
    expect((await h.http().get(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey))).body.items).toEqual([]);
    expect((await h.http().get(`/v1/users/${other.id}/app-passwords`).set(bearer(t.apiKey))).body.items).toHaveLength(
      1,
    );
    const again = await h.http().delete(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey));
    expect(again.body).toEqual({ deleted: 0 });
  });

  it('R17: disallowing app passwords stops existing ones at once; allowing again restores those not deleted', async () => {
    await allow(true);
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Legacy', billingModel: 'per_authentication' })
      .expect(201);
    const u = await createUser(h, t, { mfaEnabled: true });
    const create = (name: string) =>
      h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey)).send({ name });
    const kept = (await create('Mail')).body;
    const deleted = (await create('Calendar')).body;
    const start = () =>
      h.http().post('/v1/authentications').set(bearer(t.apiKey)).send({ userId: u.id, method: 'app_password' });
    const verify = (id: string, code: string) =>
      h.http().post(`/v1/authentications/${id}/verify`).set(bearer(t.apiKey)).send({ code });
    const open = await start();
    expect(open.body.status).toBe('pending');

    await allow(false).expect(200);
    // An authentication started while they were allowed ends, recorded, without trying the hash.
    expect((await verify(open.body.id, kept.password)).body).toMatchObject({
      status: 'denied',
      reason: 'app_passwords_not_allowed',
      final: true,
    });
    const [record] = await adminQuery<{ result: string; deny_reason: string }>(
      h.db,
      'SELECT result, deny_reason FROM authentication_records WHERE tenant_id = $1 AND authentication_id = $2',
      [t.id, open.body.id],
    );
    expect(record).toEqual({ result: 'deny', deny_reason: 'app_passwords_not_allowed' });
    // A new sign-in with an app password is refused outright.
    expectError(await start(), 409, 'app_passwords_not_allowed');
    await h.http().delete(`/v1/users/${u.id}/app-passwords/${deleted.id}`).set(bearer(t.apiKey)).expect(204);

    await allow(true).expect(200);
    const again = await start();
    expect((await verify(again.body.id, kept.password)).body).toMatchObject({ status: 'approved' });
    const gone = await start();
    expect((await verify(gone.body.id, deleted.password)).body).toMatchObject({
      status: 'denied',
      reason: 'invalid_code',
      final: false,
    });
  });

  it('R9: the free tier refuses app passwords even when allowed', async () => {
    const f = await createTenant(h, 'Free Co');
    await adminQuery(h.db, "UPDATE tenants SET tier = 'free', app_passwords_allowed = true WHERE id = $1", [f.id]);
    const u = await createUser(h, f);
    const res = await h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(f.apiKey)).send({ name: 'Mail' });
    expectError(res, 409, 'free_tier_method_not_allowed');
  });

  it('validates the name and answers 404 for an unknown user', async () => {
    const u = await createUser(h, t);
    expectError(
      await h.http().post(`/v1/users/${u.id}/app-passwords`).set(bearer(t.apiKey)).send({ name: '' }),
      400,
      'validation_failed',
    );
    expectError(
      await h.http().delete('/v1/users/00000000-0000-4000-8000-000000000000/app-passwords').set(bearer(t.apiKey)),
      404,
      'user_not_found',
    );
  });
});

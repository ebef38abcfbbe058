import { adminQuery } from '@twofold/platform/testing';
import {
  bearer,
  createTenant,
  createUser,
  expectError,
  Harness,
  startAuthProvider,
  TenantFixture,
  UserFixture,
} from './harness';

describe('methods, method policy and registration (R11, R15, R19, R20, R9)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  const api = () => ({
    get: (url: string) => h.http().get(url).set(bearer(t.apiKey)),
    post: (url: string, body: object = {}) => h.http().post(url).set(bearer(t.apiKey)).send(body),
    put: (url: string, body: object) => h.http().put(url).set(bearer(t.apiKey)).send(body),
    patch: (url: string, body: object) => h.http().patch(url).set(bearer(t.apiKey)).send(body),
    delete: (url: string) => h.http().delete(url).set(bearer(t.apiKey)),
  });
  const newUser = (mfaEnabled = true): Promise<UserFixture> => createUser(h, t, { mfaEnabled });

  it('R11: registers sms with a number normalised to E.164, which becomes the default', async () => {
    const u = await newUser();
    const res = await api().post(`/v1/users/${u.id}/methods`, { method: 'sms', phoneNumber: '(425) 555-0100' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ method: 'sms', phoneNumber: '+14255550100' });
    const list = await api().get(`/v1/users/${u.id}/methods`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [{ method: 'sms', phoneNumber: '+14255550100', createdAt: expect.any(String) }],
      defaultMethod: 'sms',
    });
  });

  it('R22: an invalid phone number is 400 naming the field; a missing one too', async () => {
    const u = await newUser();
    const bad = await api().post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+1 555 0100' });
    expectError(bad, 400, 'validation_failed');
    expect(bad.body.errors).toEqual([{ field: 'phoneNumber', problems: [expect.any(String)] }]);
    const missing = await api().post(`/v1/users/${u.id}/methods`, { method: 'sms' });
    expectError(missing, 400, 'validation_failed');
    expect(missing.body.errors[0].field).toBe('phoneNumber');
    const extra = await api().post(`/v1/users/${u.id}/methods`, { method: 'app_code', phoneNumber: '+14255550100' });
    expectError(extra, 400, 'validation_failed');
  });

  it('R11: an unknown method is 400, in the body and in the path', async () => {
    const u = await newUser();
    const body = await api().post(`/v1/users/${u.id}/methods`, { method: 'carrier_pigeon' });
    expectError(body, 400, 'validation_failed');
    expect(body.body.errors[0].field).toBe('method');
    expectError(await api().delete(`/v1/users/${u.id}/methods/carrier_pigeon`), 400, 'validation_failed');
  });

  it('R11: a duplicate registration is 409; a method not registered is 404 on delete', async () => {
    const u = await newUser();
    await api().post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+442071838750' });
    const dup = await api().post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+442071838751' });
    expectError(dup, 409, 'method_already_registered');
    expectError(await api().delete(`/v1/users/${u.id}/methods/sms`), 404, 'method_not_found');
  });

  it('R11: app methods need an activated app, oath_token an assigned token, app_password the tenant setting', async () => {
    const u = await newUser();
    expectError(
      await api().post(`/v1/users/${u.id}/methods`, { method: 'app_code' }),
      409,
      'device_activation_required',
    );
    expectError(await api().post(`/v1/users/${u.id}/methods`, { method: 'oath_token' }), 409, 'oath_token_required');
    expectError(
      await api().post(`/v1/users/${u.id}/methods`, { method: 'app_password' }),
      409,
      'app_passwords_not_allowed',
    );
  });

  it('R11: oath_token registers once a token is assigned to the user', async () => {
    const u = await newUser();
    await adminQuery(
      h.db,
      `INSERT INTO oath_tokens (tenant_id, id, serial, secret_ciphertext, key_id, assigned_user_id, assigned_at, updated_at)
       VALUES ($1, gen_random_uuid(), $2, '\\x00', 'dev', $3, now(), now())`,
      [t.id, `SN-${u.id.slice(0, 8)}`, u.id],
    );
    const res = await api().post(`/v1/users/${u.id}/methods`, { method: 'oath_token' });
    expect(res.status).toBe(201);
  });

  it('deleting the default method moves the default to the next usable method', async () => {
    const u = await newUser();
    await api().post(`/v1/users/${u.id}/methods`, { method: 'sms', phoneNumber: '+14255550100' });
    await api().post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+14255550101' });
    expect((await api().get(`/v1/users/${u.id}/methods`)).body.defaultMethod).toBe('sms');
    expect((await api().delete(`/v1/users/${u.id}/methods/sms`)).status).toBe(204);
    expect((await api().get(`/v1/users/${u.id}/methods`)).body.defaultMethod).toBe('voice');
  });

  it('PUT default-method: must be registered (404) and is then set', async () => {
    const u = await newUser();
    await api().post(`/v1/users/${u.id}/methods`, { method: 'sms', phoneNumber: '+14255550100' });
    await api().post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+14255550100' });
    expectError(await api().put(`/v1/users/${u.id}/default-method`, { method: 'app_code' }), 404, 'method_not_found');
    const res = await api().put(`/v1/users/${u.id}/default-method`, { method: 'voice' });
    expect(res.status).toBe(200);
    expect(res.body.defaultMethod).toBe('voice');
    expect(res.body.items).toHaveLength(2);
  });

  it('R19: MFA enabled with nothing registered requires registration; registering clears it', async () => {
    const u = await newUser(true);
    expect((await api().get(`/v1/users/${u.id}/registration`)).body).toEqual({
      registrationRequired: true,
      reasons: ['mfa_enabled_nothing_registered'],
    });
    const off = await newUser(false);
    expect((await api().get(`/v1/users/${off.id}/registration`)).body).toEqual({
      registrationRequired: false,
      reasons: [],
    });
    await api().post(`/v1/users/${u.id}/methods`, { method: 'sms', phoneNumber: '+14255550100' });
    expect((await api().get(`/v1/users/${u.id}/registration`)).body.registrationRequired).toBe(false);
  });

  it('R19: admins set the policy-driven reasons; other reasons are refused', async () => {
    const u = await newUser(false);
    const res = await api().put(`/v1/users/${u.id}/registration-requirements`, {
      reasons: ['windows_hello_for_business', 'sspr_enabled'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ registrationRequired: true, reasons: ['sspr_enabled', 'windows_hello_for_business'] });
    const bad = await api().put(`/v1/users/${u.id}/registration-requirements`, { reasons: ['reset_by_admin'] });
    expectError(bad, 400, 'validation_failed');
    const cleared = await api().put(`/v1/users/${u.id}/registration-requirements`, { reasons: [] });
    expect(cleared.body).toEqual({ registrationRequired: false, reasons: [] });
  });

  it('R15: reset clears methods, default, devices and app passwords and requires registration', async () => {
    const u = await newUser(true);
    await api().patch(`/v1/tenants/${t.id}`, { appPasswordsAllowed: true });
    await api().post(`/v1/users/${u.id}/methods`, { method: 'sms', phoneNumber: '+14255550100' });
    const device = await api().post(`/v1/users/${u.id}/devices`, {});
    expect(device.status).toBe(201);
    expect((await api().post(`/v1/users/${u.id}/app-passwords`, { name: 'mail' })).status).toBe(201);

    const res = await api().post(`/v1/users/${u.id}/reset`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      registrationRequired: true,
      reasons: ['mfa_enabled_nothing_registered', 'reset_by_admin'],
    });
    expect((await api().get(`/v1/users/${u.id}/methods`)).body).toEqual({ items: [], defaultMethod: null });
    const devices = await api().get(`/v1/users/${u.id}/devices`);
    expect(devices.body.items).toEqual([expect.objectContaining({ id: device.body.id, active: false })]);
    expect((await api().get(`/v1/users/${u.id}/app-passwords`)).body.items).toEqual([]);

    // Registering again clears reset_by_admin (decision 0006).
    await api().post(`/v1/users/${u.id}/methods`, { method: 'voice', phoneNumber: '+14255550100' });
    expect((await api().get(`/v1/users/${u.id}/registration`)).body).toEqual({
      registrationRequired: false,
      reasons: [],
    });
    const audit = await api().get('/v1/audit-log').query({ limit: 200 });
    const reset = (audit.body.items as { action: string; targetId: string }[]).find(
      (e) => e.action === 'user.reset' && e.targetId === u.id,
    );
    expect(reset).toBeDefined();
    await api().patch(`/v1/tenants/${t.id}`, { appPasswordsAllowed: false });
  });

  it('a user of another tenant or no user at all is 404 user_not_found', async () => {
    const other = await createTenant(h, 'Fabrikam');
    const theirs = await createUser(h, other);
    expectError(await api().get(`/v1/users/${theirs.id}/methods`), 404, 'user_not_found');
    expectError(await api().get('/v1/users/not-a-uuid/registration'), 404, 'user_not_found');
    expectError(await api().post(`/v1/users/00000000-0000-4000-8000-000000000000/reset`), 404, 'user_not_found');
  });

  describe('tenant method policy', () => {
    let p: TenantFixture;
    const pol = () => ({
      get: () => h.http().get('/v1/method-policy').set(bearer(p.apiKey)),
      patch: (body: object) => h.http().patch('/v1/method-policy').set(bearer(p.apiKey)).send(body),
    });

    beforeAll(async () => {
      p = await createTenant(h, 'Policy Co');
    });

    it('R20: lists every method, all enabled by default', async () => {
      const res = await pol().get();
      expect(res.status).toBe(200);
      expect(res.body.tier).toBe('standard');
      expect(res.body.items).toHaveLength(6);
      expect(res.body.items.every((i: { enabled: boolean }) => i.enabled)).toBe(true);
    });

    it('R20: disabling a method flags users whose default it was, and refuses it for registration', async () => {
      const a = await createUser(h, p, { mfaEnabled: true });
      const b = await createUser(h, p, { mfaEnabled: true });
      const c = await createUser(h, p, { mfaEnabled: true });
      const reg = (u: UserFixture, method: string) =>
        h.http().post(`/v1/users/${u.id}/methods`).set(bearer(p.apiKey)).send({ method, phoneNumber: '+14255550100' });
      await reg(a, 'sms');
      await reg(b, 'sms');
      await reg(b, 'voice');
      await h.http().put(`/v1/users/${b.id}/default-method`).set(bearer(p.apiKey)).send({ method: 'voice' });
      await reg(c, 'voice');

      const res = await pol().patch({ sms: false });
      expect(res.status).toBe(200);
      expect(res.body.items).toContainEqual({ method: 'sms', enabled: false });

      const registration = async (u: UserFixture) =>
        (await h.http().get(`/v1/users/${u.id}/registration`).set(bearer(p.apiKey))).body;
      expect(await registration(a)).toEqual({ registrationRequired: true, reasons: ['method_disabled'] });
      expect(await registration(b)).toEqual({ registrationRequired: false, reasons: [] });
      expect(await registration(c)).toEqual({ registrationRequired: false, reasons: [] });
      const [row] = await adminQuery<{ default_method: string | null }>(
        h.db,
        'SELECT default_method FROM users WHERE tenant_id = $1 AND id = $2',
        [p.id, a.id],
      );
      expect(row?.default_method).toBeNull();

      expectError(await reg(c, 'sms'), 409, 'method_disabled');
      expectError(
        await h.http().put(`/v1/users/${b.id}/default-method`).set(bearer(p.apiKey)).send({ method: 'sms' }),
        409,
        'method_disabled',
      );

      // Choosing an allowed default clears method_disabled (decision 0006).
      await reg(a, 'voice');
      expect(await registration(a)).toEqual({ registrationRequired: false, reasons: [] });
      await pol().patch({ sms: true });
    });

    it('R9: the free tier allows only the authenticator app; enabling others is refused', async () => {
      const f = await createTenant(h, 'Free Co');
      await adminQuery(h.db, "UPDATE tenants SET tier = 'free' WHERE id = $1", [f.id]);
      const res = await h.http().get('/v1/method-policy').set(bearer(f.apiKey));
      expect(res.body.tier).toBe('free');
      const enabled = (res.body.items as { method: string; enabled: boolean }[]).filter((i) => i.enabled);
      expect(enabled.map((i) => i.method).sort()).toEqual(['app_code', 'app_notification']);

      const refused = await h.http().patch('/v1/method-policy').set(bearer(f.apiKey)).send({ sms: true });
      expectError(refused, 409, 'free_tier_method_not_allowed');
      expect(refused.body.message).toMatch(/authenticator app/);

      const u = await createUser(h, f, { mfaEnabled: true });
      const sms = await h
        .http()
        .post(`/v1/users/${u.id}/methods`)
        .set(bearer(f.apiKey))
        .send({ method: 'sms', phoneNumber: '+14255550100' });
      expectError(sms, 409, 'free_tier_method_not_allowed');
      const device = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(f.apiKey)).send({});
      expect(device.status).toBe(201);
    });
  });
});

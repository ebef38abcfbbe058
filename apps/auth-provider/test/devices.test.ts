import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of s) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

describe('authenticator app activation (R11, R18)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  it('R11: activation returns exactly { id, otpauthUri, deviceToken, deviceSecret } and registers the app methods', async () => {
    const u = await createUser(h, t, { userName: 'ann.lee@contoso.example', mfaEnabled: true });
    const res = await h
      .http()
      .post(`/v1/users/${u.id}/devices`)
      .set(bearer(t.apiKey))
      .send({ deviceName: 'Ann’s phone' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['deviceSecret', 'deviceToken', 'id', 'otpauthUri']);
    expect(res.body.deviceToken).toMatch(/^tfd_[A-Za-z0-9_-]{43}$/);
    expect(res.body.deviceSecret).toMatch(/^tfs_[A-Za-z0-9_-]{43}$/);
    const uri = new URL(res.body.otpauthUri as string);
    expect(res.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Twofold:ann\.lee%40contoso\.example\?/);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      issuer: 'Twofold',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect(base32Decode(uri.searchParams.get('secret') as string)).toHaveLength(20);

    const methods = await h.http().get(`/v1/users/${u.id}/methods`).set(bearer(t.apiKey));
    expect(methods.body.items.map((m: { method: string }) => m.method).sort()).toEqual([
      'app_code',
      'app_notification',
    ]);
    expect(methods.body.defaultMethod).toBe('app_notification');
    const reg = await h.http().get(`/v1/users/${u.id}/registration`).set(bearer(t.apiKey));
    expect(reg.body.registrationRequired).toBe(false);
  });

  it('the TOTP seed is stored encrypted (AES-256-GCM), never in clear', async () => {
    const u = await createUser(h, t);
    const res = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({});
    const seed = base32Decode(new URL(res.body.otpauthUri as string).searchParams.get('secret') as string);
    const [row] = await adminQuery<{ seed_ciphertext: Buffer; key_id: string; device_token: string }>(
      h.db,
      'SELECT seed_ciphertext, key_id, device_token FROM device_activations WHERE tenant_id = $1 AND id = $2',
      [t.id, res.body.id],
    );
    expect(row).toBeDefined();
    expect(row?.key_id).toBe('dev');
    expect(row?.seed_ciphertext.length).toBe(12 + 20 + 16);
    expect(row?.seed_ciphertext.includes(seed)).toBe(false);
    expect(row?.seed_ciphertext.toString('latin1')).not.toContain(seed.toString('latin1'));
    expect(row?.device_token).toBe(res.body.deviceToken);
  });

  it('lists metadata only and deactivates (row kept); the last deactivation removes the app methods', async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    const one = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({ deviceName: 'A' });
    const two = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({ deviceName: 'B' });
    const list = await h.http().get(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey));
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    for (const item of list.body.items) {
      expect(Object.keys(item).sort()).toEqual(['activatedAt', 'active', 'deactivatedAt', 'deviceName', 'id']);
    }

    expect((await h.http().delete(`/v1/users/${u.id}/devices/${one.body.id}`).set(bearer(t.apiKey))).status).toBe(204);
    let methods = await h.http().get(`/v1/users/${u.id}/methods`).set(bearer(t.apiKey));
    expect(methods.body.items).toHaveLength(2);

    expect((await h.http().delete(`/v1/users/${u.id}/devices/${two.body.id}`).set(bearer(t.apiKey))).status).toBe(204);
    methods = await h.http().get(`/v1/users/${u.id}/methods`).set(bearer(t.apiKey));
    expect(methods.body).toEqual({ items: [], defaultMethod: null });
    const after = await h.http().get(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey));
    expect(after.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: one.body.id, active: false, deactivatedAt: expect.any(String) }),
        expect.objectContaining({ id: two.body.id, active: false }),
      ]),
    );
    const [audit] = await adminQuery<{ n: string }>(
      h.db,
      "SELECT count(*) AS n FROM audit_log WHERE tenant_id = $1 AND action = 'user.device.deactivate'",
      [t.id],
    );
    expect(Number(audit?.n)).toBe(2);
  });

  it('an unknown device or user is 404', async () => {
    const u = await createUser(h, t);
    expectError(
      await h.http().delete(`/v1/users/${u.id}/devices/00000000-0000-4000-8000-000000000000`).set(bearer(t.apiKey)),
      404,
      'device_not_found',
    );
    expectError(await h.http().delete(`/v1/users/${u.id}/devices/nope`).set(bearer(t.apiKey)), 404, 'device_not_found');
    expectError(
      await h.http().post('/v1/users/00000000-0000-4000-8000-000000000000/devices').set(bearer(t.apiKey)).send({}),
      404,
      'user_not_found',
    );
  });

  it('R20: activation is refused when the tenant disabled both app methods', async () => {
    const p = await createTenant(h, 'No apps');
    await h.http().patch('/v1/method-policy').set(bearer(p.apiKey)).send({ app_notification: false, app_code: false });
    const u = await createUser(h, p);
    expectError(
      await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(p.apiKey)).send({}),
      409,
      'method_disabled',
    );
  });
});

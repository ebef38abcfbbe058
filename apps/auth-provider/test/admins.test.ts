import { randomBytes } from 'node:crypto';
import { Clock } from '@twofold/platform/db';
import { AuthenticationGuards } from '../src/authentications/authentication-guards';
import { inviteAndAccept, oathtoolCode, PASSWORD, signIn, uniqueEmail } from './admin-helpers';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

/**
 * Issue 18 item 1 (docs/decisions/0031): admins invited by e-mail with a role, a password and a TOTP
 * second factor (codes from oathtool), session cookies with CSRF protection and timeouts, failed
 * sign-ins limited per account and per IP, and one permission check for sessions and API keys alike.
 */
describe('admin identities, roles and sessions', () => {
  let h: Harness;
  let t: TenantFixture;
  let clockNow: Date | null = null;
  const at = (ms: number) => new Date(Math.floor(Date.now() / 30_000) * 30_000 + ms);
  const setClock = (d: Date | null) => {
    clockNow = d;
  };
  const randomIp = () => `10.${[...randomBytes(3)].join('.')}`;

  beforeAll(async () => {
    // One trusted hop: each test names its own client address in X-Forwarded-For (per-IP limits).
    h = await startAuthProvider({
      TRUST_PROXY: '1',
      ADMIN_SESSION_IDLE_MINUTES: '30',
      ADMIN_SESSION_ABSOLUTE_HOURS: '1',
    });
    h.app.get(Clock).now = () => clockNow ?? new Date();
    t = await createTenant(h, 'Admins Inc');
  });
  afterEach(() => setClock(null));
  afterAll(() => h.close());

  it('invitation → password → TOTP enrolment → sign-in; the cookie reads; an invitation works once', async () => {
    const email = uniqueEmail('owner');
    const inv = await h.http().post('/v1/admin-invitations').set(bearer(t.apiKey)).send({ email, role: 'owner' });
    expect(inv.status).toBe(201);
    expect(inv.body.token).toMatch(/^tfi_/);
    expect(inv.body.state).toBe('pending');
    const accepted = await h
      .http()
      .post('/v1/admin-invitations/accept')
      .send({ token: inv.body.token, password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body.admin).toMatchObject({ email, role: 'owner', totpEnrolled: false });
    expect(accepted.body.totp.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    // Single use.
    expectError(
      await h.http().post('/v1/admin-invitations/accept').send({ token: inv.body.token, password: PASSWORD }),
      400,
      'invitation_invalid',
    );

    const now = at(0);
    setClock(now);
    const res = await h
      .http()
      .post('/v1/admin-sessions')
      .set('x-forwarded-for', randomIp())
      .send({ email: email.toUpperCase(), password: PASSWORD, code: oathtoolCode(accepted.body.totp.secret, now) });
    expect(res.status).toBe(201);
    expect(res.body.admin.totpEnrolled).toBe(true);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] as string;
    expect(setCookie).toMatch(/^twofold_session=tfw_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP here; Secure over HTTPS (below)
    const cookie = setCookie.split(';')[0] as string;
    const users = await h.http().get('/v1/users').set({ cookie });
    expect(users.status).toBe(200);
    const current = await h.http().get('/v1/admin-sessions/current').set({ cookie });
    expect(current.body.csrfToken).toBe(res.body.csrfToken);
    expect(current.body.permissions).toContain('admins:write');
    // The same code again (its step is used): refused like any wrong credential.
    const replay = await h
      .http()
      .post('/v1/admin-sessions')
      .set('x-forwarded-for', randomIp())
      .send({ email, password: PASSWORD, code: oathtoolCode(accepted.body.totp.secret, now) });
    expectError(replay, 401, 'sign_in_failed');

    // Audited: invitation, acceptance, sign-in, failed sign-in; never the password, code or token.
    const audit = await h.http().get('/v1/audit-log').set(bearer(t.apiKey));
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['admin.invite', 'admin.accept', 'admin.sign_in', 'admin.sign_in_failed']),
    );
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(inv.body.token);
    expect(text).not.toContain(accepted.body.totp.secret);
  });

  it('an expired or revoked invitation is refused', async () => {
    const inv = await h
      .http()
      .post('/v1/admin-invitations')
      .set(bearer(t.apiKey))
      .send({ email: uniqueEmail('late'), role: 'auditor' });
    setClock(new Date(Date.now() + 73 * 3_600_000));
    expectError(
      await h.http().post('/v1/admin-invitations/accept').send({ token: inv.body.token, password: PASSWORD }),
      400,
      'invitation_invalid',
    );
    setClock(null);
    const other = await h
      .http()
      .post('/v1/admin-invitations')
      .set(bearer(t.apiKey))
      .send({ email: uniqueEmail('revoked'), role: 'auditor' });
    expect((await h.http().delete(`/v1/admin-invitations/${other.body.id}`).set(bearer(t.apiKey))).status).toBe(204);
    expectError(
      await h.http().post('/v1/admin-invitations/accept').send({ token: other.body.token, password: PASSWORD }),
      400,
      'invitation_invalid',
    );
    expectError(
      await h.http().post('/v1/admin-invitations/accept').send({ token: 'tfi_nope', password: PASSWORD }),
      400,
      'invitation_invalid',
    );
  });

  it('public endpoints refuse oversized or odd bodies with 400 before any password is hashed', async () => {
    const inv = await h
      .http()
      .post('/v1/admin-invitations')
      .set(bearer(t.apiKey))
      .send({ email: uniqueEmail('huge'), role: 'auditor' });
    const huge = 'x'.repeat(100_000); // scrypt over this would be ours to pay
    for (const body of [
      { token: inv.body.token, password: huge },
      { token: inv.body.token, password: 42 },
      { token: 'y'.repeat(10_000), password: PASSWORD },
    ])
      expectError(await h.http().post('/v1/admin-invitations/accept').send(body), 400, 'validation_failed');
    for (const body of [
      { email: uniqueEmail('nobody'), password: huge, code: '123456' },
      { email: 'e'.repeat(10_000), password: PASSWORD, code: '123456' },
      { email: uniqueEmail('nobody'), password: PASSWORD, code: '12345678901234567890' },
    ])
      expectError(await h.http().post('/v1/admin-sessions').send(body), 400, 'validation_failed');
    // The invitation still works: the refused bodies did not use it up.
    const ok = await h.http().post('/v1/admin-invitations/accept').send({ token: inv.body.token, password: PASSWORD });
    expect(ok.status).toBe(200);
  });

  it('CSRF: a state-changing request with the cookie needs X-CSRF-Token and a same-site Origin; a key is unaffected', async () => {
    const owner = await inviteAndAccept(h, t, 'owner');
    const s = await signIn(h, owner, new Date(), { 'x-forwarded-for': randomIp() });
    const body = { userName: `csrf-${randomBytes(3).toString('hex')}@contoso.example` };
    expectError(await h.http().post('/v1/users').set({ cookie: s.cookie }).send(body), 403, 'csrf_failed');
    expectError(
      await h
        .http()
        .post('/v1/users')
        .set({ cookie: s.cookie, 'x-csrf-token': 'x'.repeat(43) })
        .send(body),
      403,
      'csrf_failed',
    );
    expectError(
      await h
        .http()
        .post('/v1/users')
        .set({ ...s.write, origin: 'https://evil.example' })
        .send(body),
      403,
      'csrf_failed',
    );
    expect((await h.http().post('/v1/users').set(s.write).send(body)).status).toBe(201);
    // An API key needs no CSRF token.
    expect((await createUser(h, t)).id).toBeDefined();
  });

  it('helpdesk resets users but gets 403 naming the permission on keys and billing-grade changes; an auditor reads and changes nothing', async () => {
    const owner = await inviteAndAccept(h, t, 'owner');
    const os = await signIn(h, owner, new Date(), { 'x-forwarded-for': randomIp() });
    const helpdesk = await inviteAndAccept(h, t, 'helpdesk', os.write);
    const hs = await signIn(h, helpdesk, new Date(), { 'x-forwarded-for': randomIp() });
    const user = await createUser(h, t);
    expect((await h.http().post(`/v1/users/${user.id}/reset`).set(hs.write).send({})).status).toBe(200);
    // A user locked by wrong codes (docs/decisions/0009) is unlocked by the help desk, at once.
    const guards = h.app.get(AuthenticationGuards);
    const key = AuthenticationGuards.userKey(t.id, user.id);
    for (let i = 0; i < 10; i++) await guards.lockout.recordFailure(key);
    expect((await guards.lockout.check(key)).locked).toBe(true);
    expect((await h.http().post(`/v1/users/${user.id}/unlock`).set(hs.write)).status).toBe(204);
    expect((await guards.lockout.check(key)).locked).toBe(false);
    const unlockAudit = await h.http().get('/v1/audit-log').query({ action: 'user.unlock' }).set(bearer(t.apiKey));
    expect(unlockAudit.body.items[0]).toMatchObject({ actorType: 'admin', actorId: helpdesk.id, targetId: user.id });
    expect((await h.http().get(`/v1/users/${user.id}`).set({ cookie: hs.cookie })).status).toBe(200);
    const keys = await h.http().post('/v1/api-keys').set(hs.write).send({ name: 'nope' });
    expectError(keys, 403, 'forbidden');
    expect(keys.body.permission).toBe('keys:write');
    const erase = await h.http().post(`/v1/users/${user.id}/erase`).set(hs.write).send({});
    expect({ status: erase.status, permission: erase.body.permission }).toEqual({
      status: 403,
      permission: 'users:erase',
    });
    // No escalation: helpdesk cannot invite, and an admin cannot hand out owner.
    expectError(
      await h
        .http()
        .post('/v1/admin-invitations')
        .set(hs.write)
        .send({ email: uniqueEmail('x'), role: 'helpdesk' }),
      403,
      'forbidden',
    );

    const auditor = await inviteAndAccept(h, t, 'auditor', os.write);
    const as = await signIn(h, auditor, new Date(), { 'x-forwarded-for': randomIp() });
    for (const path of [
      '/v1/users',
      '/v1/audit-log',
      '/v1/api-keys',
      '/v1/admins',
      '/v1/providers',
      '/v1/method-policy',
    ])
      expect([path, (await h.http().get(path).set({ cookie: as.cookie })).status]).toEqual([path, 200]);
    for (const [method, path, body] of [
      ['post', '/v1/users', { userName: 'auditor-made@contoso.example' }],
      ['patch', `/v1/users/${user.id}`, { firstName: 'x' }],
      ['patch', '/v1/method-policy', { sms: false }],
      ['post', '/v1/api-keys', { name: 'x' }],
      ['post', '/v1/providers', { name: 'x', billingModel: 'per_user' }],
    ] as const) {
      const res = await h.http()[method](path).set(as.write).send(body);
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
    }
    // Role changes are audited; the last owner cannot be demoted.
    const promoted = await h.http().patch(`/v1/admins/${auditor.id}`).set(os.write).send({ role: 'billing' });
    expect(promoted.body.role).toBe('billing');
  });

  it('an API key narrowed to authentications:write starts authentications and does nothing else', async () => {
    const created = await h
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.apiKey))
      .send({ name: 'app server', scopes: ['authentications:write'] });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['authentications:write']);
    const key = created.body.apiKey as string;
    const users = await h.http().get('/v1/users').set(bearer(key));
    expectError(users, 403, 'forbidden');
    expect(users.body.permission).toBe('users:read');
    // Past the permission check: the unknown user is the engine's own 404.
    const start = await h
      .http()
      .post('/v1/authentications')
      .set(bearer(key))
      .send({ userName: 'nobody@contoso.example', method: 'totp' });
    expect(start.status).not.toBe(403);
    // The narrow key cannot mint a broader one (no escalation).
    const broader = await h
      .http()
      .post('/v1/api-keys')
      .set(bearer(key))
      .send({ name: 'x', scopes: ['users:read'] });
    expect(broader.status).toBe(403);
    expectError(
      await h
        .http()
        .post('/v1/api-keys')
        .set(bearer(t.apiKey))
        .send({ name: 'x', scopes: ['nonsense'] }),
      400,
      'validation_failed',
    );
  });

  it('idle and absolute timeouts end a session (fake clock)', async () => {
    const owner = await inviteAndAccept(h, t, 'owner');
    const t0 = at(0);
    setClock(t0);
    const s = await signIn(h, owner, t0, { 'x-forwarded-for': randomIp() });
    setClock(new Date(t0.getTime() + 29 * 60_000));
    expect((await h.http().get('/v1/users').set({ cookie: s.cookie })).status).toBe(200);
    setClock(new Date(t0.getTime() + 58 * 60_000)); // 29 min after the last request: still alive
    expect((await h.http().get('/v1/users').set({ cookie: s.cookie })).status).toBe(200);
    setClock(new Date(t0.getTime() + 61 * 60_000)); // past the 1 h absolute timeout
    expectError(await h.http().get('/v1/users').set({ cookie: s.cookie }), 401, 'session_expired');

    const t1 = at(120_000);
    setClock(t1);
    const idle = await signIn(h, owner, t1, { 'x-forwarded-for': randomIp() });
    setClock(new Date(t1.getTime() + 31 * 60_000));
    expectError(await h.http().get('/v1/users').set({ cookie: idle.cookie }), 401, 'session_expired');
  });

  it('sessions are listed and revoked; sign-out ends the session', async () => {
    const owner = await inviteAndAccept(h, t, 'owner');
    const t0 = at(0);
    setClock(t0);
    const first = await signIn(h, owner, t0, { 'x-forwarded-for': randomIp() });
    setClock(new Date(t0.getTime() + 30_000));
    const second = await signIn(h, owner, new Date(t0.getTime() + 30_000), { 'x-forwarded-for': randomIp() });
    const list = await h.http().get('/v1/admin-sessions').set({ cookie: second.cookie });
    expect(list.body.items.map((s: { id: string }) => s.id).sort()).toEqual([first.id, second.id].sort());
    expect(list.body.items.find((s: { current: boolean }) => s.current).id).toBe(second.id);
    expect((await h.http().delete(`/v1/admin-sessions/${first.id}`).set(second.write)).status).toBe(204);
    expectError(await h.http().get('/v1/users').set({ cookie: first.cookie }), 401, 'session_expired');
    expect((await h.http().delete('/v1/admin-sessions/current').set(second.write)).status).toBe(204);
    expectError(await h.http().get('/v1/users').set({ cookie: second.cookie }), 401, 'session_expired');
    // A key is not a session.
    expectError(await h.http().get('/v1/admin-sessions').set(bearer(t.apiKey)), 403, 'admin_session_required');
    const audit = await h.http().get('/v1/audit-log?targetType=admin_session').set(bearer(t.apiKey));
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['admin_session.revoke', 'admin.sign_out']));
  });

  it('failed sign-ins are limited per account (429 with Retry-After) and counted per IP', async () => {
    const admin = await inviteAndAccept(h, t, 'auditor');
    const ip = randomIp();
    for (let i = 0; i < 5; i++) {
      const res = await h
        .http()
        .post('/v1/admin-sessions')
        .set('x-forwarded-for', ip)
        .send({ email: admin.email, password: 'wrong password!!', code: '000000' });
      expectError(res, 401, 'sign_in_failed');
    }
    const limited = await h
      .http()
      .post('/v1/admin-sessions')
      .set('x-forwarded-for', randomIp())
      .send({ email: admin.email, password: PASSWORD, code: oathtoolCode(admin.secret, new Date()) });
    expectError(limited, 429, 'sign_in_rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Per IP: 20 failures from one address over many accounts, then that address is refused.
    const busyIp = randomIp();
    let last = 0;
    for (let i = 0; i < 21; i++) {
      const res = await h
        .http()
        .post('/v1/admin-sessions')
        .set('x-forwarded-for', busyIp)
        .send({ email: uniqueEmail('nobody'), password: 'wrong password!!', code: '000000' });
      last = res.status;
    }
    expect(last).toBe(429);
    const audit = await h
      .http()
      .get(`/v1/audit-log?action=admin.sign_in_failed&targetId=${admin.id}`)
      .set(bearer(t.apiKey));
    expect(audit.body.items.length).toBe(5);
  });
});

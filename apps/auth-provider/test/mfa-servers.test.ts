import { createHash } from 'node:crypto';
import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('MFA servers: activation credentials, activation, server credential (R12, R13)', () => {
  let h: Harness;
  let t: TenantFixture;
  let providerId: string;

  const newCredential = async (body: object = {}, provider = providerId) => {
    const res = await h
      .http()
      .post(`/v1/providers/${provider}/activation-credentials`)
      .set(bearer(t.apiKey))
      .send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; credential: string; expiresAt: string };
  };
  const activate = (activationCredential: string, extra: object = {}) =>
    h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential, name: 'mfa-01.contoso.local', ...extra });

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Servers', billingModel: 'per_authentication', tenantId: null });
    providerId = p.body.id;
  });
  afterAll(() => h.close());

  it('R12: activates a server with a one-time credential; the server credential authenticates `self`', async () => {
    const cred = await newCredential();
    expect(cred.credential).toMatch(/^tfa_[A-Za-z0-9_-]{43}$/);
    const expiresIn = new Date(cred.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60_000);

    const res = await activate(cred.credential);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      serverId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      providerId,
      serverCredential: expect.stringMatching(/^tfs_[A-Za-z0-9_-]{43}$/),
      pendingSmsTimeoutSeconds: 300,
    });

    const self = await h.http().get('/v1/mfa-servers/self').set(bearer(res.body.serverCredential));
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({
      id: res.body.serverId,
      providerId,
      name: 'mfa-01.contoso.local',
      status: 'active',
      pendingSmsTimeoutSeconds: 300,
      voiceCallerId: null,
      revokedAt: null,
    });
    expect(self.body.lastSeenAt).not.toBeNull();
    expect(JSON.stringify(self.body)).not.toMatch(/hash/i);

    const listed = await h.http().get(`/v1/providers/${providerId}/activation-credentials`).set(bearer(t.apiKey));
    expect(listed.body.items.find((c: { id: string }) => c.id === cred.id)).toMatchObject({
      usedByServerId: res.body.serverId,
      revokedAt: null,
      usedAt: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toContain(cred.credential);
  });

  it('R12: a credential is single use; two concurrent activations → exactly one 201, one 401', async () => {
    const cred = await newCredential();
    const results = await Promise.all([activate(cred.credential), activate(cred.credential)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 401]);
    expectError(
      results.find((r) => r.status === 401) as (typeof results)[number],
      401,
      'activation_credential_invalid',
    );
    expectError(await activate(cred.credential), 401, 'activation_credential_invalid');
    const used = await adminQuery<{ n: number }>(
      h.db,
      `SELECT count(*)::int AS n FROM mfa_servers s
         JOIN mfa_server_activation_credentials c ON c.tenant_id = s.tenant_id AND c.used_by_server_id = s.id
        WHERE c.id = $1`,
      [cred.id],
    );
    expect(used[0]?.n).toBe(1);
  });

  it('R12: unknown, malformed, expired and revoked credentials all get 401 activation_credential_invalid', async () => {
    expectError(await activate(`tfa_${'A'.repeat(43)}`), 401, 'activation_credential_invalid');
    expectError(await activate('not-a-credential'), 401, 'activation_credential_invalid');

    const expired = await newCredential({ expiresInMinutes: 5 });
    await adminQuery(
      h.db,
      `UPDATE mfa_server_activation_credentials SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expired.id],
    );
    expectError(await activate(expired.credential), 401, 'activation_credential_invalid');

    const revoked = await newCredential();
    const del = await h
      .http()
      .delete(`/v1/providers/${providerId}/activation-credentials/${revoked.id}`)
      .set(bearer(t.apiKey));
    expect(del.status).toBe(204);
    expectError(await activate(revoked.credential), 401, 'activation_credential_invalid');
  });

  it('R12: a used credential cannot be revoked (409); an unknown one is 404', async () => {
    const cred = await newCredential();
    expect((await activate(cred.credential)).status).toBe(201);
    expectError(
      await h.http().delete(`/v1/providers/${providerId}/activation-credentials/${cred.id}`).set(bearer(t.apiKey)),
      409,
      'activation_credential_used',
    );
    expectError(
      await h
        .http()
        .delete(`/v1/providers/${providerId}/activation-credentials/00000000-0000-4000-8000-000000000000`)
        .set(bearer(t.apiKey)),
      404,
      'activation_credential_not_found',
    );
  });

  it('R13: pendingSmsTimeoutSeconds defaults to 300 and each server can set its own', async () => {
    const res = await activate((await newCredential()).credential, {
      name: 'custom',
      pendingSmsTimeoutSeconds: 600,
      voiceCallerId: '+14255550100',
    });
    expect(res.status).toBe(201);
    expect(res.body.pendingSmsTimeoutSeconds).toBe(600);
    const got = await h.http().get(`/v1/mfa-servers/${res.body.serverId}`).set(bearer(t.apiKey));
    expect(got.body).toMatchObject({ pendingSmsTimeoutSeconds: 600, voiceCallerId: '+14255550100' });

    const patched = await h
      .http()
      .patch(`/v1/mfa-servers/${res.body.serverId}`)
      .set(bearer(t.apiKey))
      .send({ name: 'renamed', pendingSmsTimeoutSeconds: 120, voiceCallerId: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'renamed', pendingSmsTimeoutSeconds: 120, voiceCallerId: null });
  });

  it('R12: records the server’s IP from the connection (X-Forwarded-For ignored without TRUST_PROXY)', async () => {
    const res = await activate((await newCredential()).credential).set('x-forwarded-for', '203.0.113.7');
    expect(res.status).toBe(201);
    const got = await h.http().get(`/v1/mfa-servers/${res.body.serverId}`).set(bearer(t.apiKey));
    expect(got.body.ipAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
  });

  it('R12: a revoked server’s credential is refused at once (401)', async () => {
    const res = await activate((await newCredential()).credential);
    const server = bearer(res.body.serverCredential);
    expect((await h.http().get('/v1/mfa-servers/self').set(server)).status).toBe(200);
    expect((await h.http().delete(`/v1/mfa-servers/${res.body.serverId}`).set(bearer(t.apiKey))).status).toBe(204);
    expectError(await h.http().get('/v1/mfa-servers/self').set(server), 401, 'unauthorized');
    const got = await h.http().get(`/v1/mfa-servers/${res.body.serverId}`).set(bearer(t.apiKey));
    expect(got.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    expect((await h.http().delete(`/v1/mfa-servers/${res.body.serverId}`).set(bearer(t.apiKey))).status).toBe(204);
  });

  it('R12: credentials are stored only as SHA-256 hashes, never in audit entries', async () => {
    const cred = await newCredential();
    const res = await activate(cred.credential);
    const dump = JSON.stringify([
      await adminQuery(h.db, 'SELECT * FROM mfa_servers'),
      await adminQuery(h.db, 'SELECT * FROM mfa_server_activation_credentials'),
      await adminQuery(h.db, 'SELECT * FROM audit_log'),
    ]);
    expect(dump).not.toContain(cred.credential);
    expect(dump).not.toContain(res.body.serverCredential);
    expect(dump).toContain(sha256(cred.credential));
    expect(dump).toContain(sha256(res.body.serverCredential));
    const log = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(t.apiKey));
    const actions = log.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['activation_credential.create', 'mfa_server.activate']));
  });

  it('R12: lists servers with cursor pagination and a provider filter, without credential hashes', async () => {
    const other = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Other', billingModel: 'per_authentication', tenantId: null });
    const mine = await activate((await newCredential({}, other.body.id)).credential, { name: 'other-provider' });
    const seen: { id: string; providerId: string }[] = [];
    let cursor: string | null | undefined;
    do {
      const res = await h
        .http()
        .get('/v1/mfa-servers')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.apiKey));
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/hash|credential/i);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    const filtered = await h.http().get('/v1/mfa-servers').query({ providerId: other.body.id }).set(bearer(t.apiKey));
    expect(filtered.body.items.map((s: { id: string }) => s.id)).toEqual([mine.body.serverId]);
  });

  it('R12: each endpoint takes only its kind of credential', async () => {
    const res = await activate((await newCredential()).credential);
    expectError(
      await h.http().get('/v1/mfa-servers').set(bearer(res.body.serverCredential)),
      403,
      'tenant_key_required',
    );
    expectError(
      await h.http().get('/v1/mfa-servers/self').set(bearer(t.apiKey)),
      403,
      'mfa_server_credential_required',
    );
    expectError(await h.http().get('/v1/mfa-servers/self'), 401, 'unauthorized');
  });

  it('R29: bad input → 400 validation_failed', async () => {
    const cred = await newCredential();
    const bad: [string, string, object][] = [
      ['post', `/v1/providers/${providerId}/activation-credentials`, { expiresInMinutes: 0 }],
      ['post', `/v1/providers/${providerId}/activation-credentials`, { expiresInMinutes: 10_081 }],
      ['post', `/v1/providers/${providerId}/activation-credentials`, { expiresInMinutes: '60' }],
      ['post', '/v1/mfa-servers/activate', { activationCredential: cred.credential }],
      [
        'post',
        '/v1/mfa-servers/activate',
        { activationCredential: cred.credential, name: 'x', pendingSmsTimeoutSeconds: 29 },
      ],
      [
        'post',
        '/v1/mfa-servers/activate',
        { activationCredential: cred.credential, name: 'x', pendingSmsTimeoutSeconds: 3601 },
      ],
      [
        'post',
        '/v1/mfa-servers/activate',
        { activationCredential: cred.credential, name: 'x', voiceCallerId: '555-0100' },
      ],
      ['post', '/v1/mfa-servers/activate', { activationCredential: cred.credential, name: 'x', extra: 1 }],
    ];
    for (const [method, url, body] of bad) {
      const res = await (method === 'post' ? h.http().post(url) : h.http().patch(url)).set(bearer(t.apiKey)).send(body);
      if (res.status !== 400)
        throw new Error(`${url} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
      expectError(res, 400, 'validation_failed');
    }
    expectError(
      await h.http().get('/v1/mfa-servers').query({ providerId: 'nope' }).set(bearer(t.apiKey)),
      400,
      'validation_failed',
    );
    // The credential survived the refused activations.
    expect((await activate(cred.credential)).status).toBe(201);
  });

  it('R12: deleting a provider revokes its servers', async () => {
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Doomed', billingModel: 'per_authentication', tenantId: null });
    const cred = await newCredential({}, p.body.id);
    const spare = await newCredential({}, p.body.id);
    const res = await activate(cred.credential);
    expect((await h.http().delete(`/v1/providers/${p.body.id}`).set(bearer(t.apiKey))).status).toBe(204);
    expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(res.body.serverCredential)), 401, 'unauthorized');
    expectError(await activate(spare.credential), 401, 'activation_credential_invalid');
  });
});

describe('MFA server activation is rate-limited per client IP', () => {
  let h: Harness;

  beforeAll(async () => {
    // Behind a trusted proxy (the tests connect from loopback) the client IP comes from
    // X-Forwarded-For, so each case has its own IP.
    h = await startAuthProvider({ TRUST_PROXY: '127.0.0.1,::1' });
  });
  afterAll(() => h.close());

  const attempt = (ip: string) =>
    h
      .http()
      .post('/v1/mfa-servers/activate')
      .set('x-forwarded-for', ip)
      .send({ activationCredential: 'tfa_not-a-real-one', name: 'guess' });

  it('the 21st attempt from one IP in 10 minutes gets 429 activation_rate_limited with Retry-After; other IPs are not affected', async () => {
    for (let i = 0; i < 20; i++) expectError(await attempt('198.51.100.20'), 401, 'activation_credential_invalid');
    const refused = await attempt('198.51.100.20');
    expectError(refused, 429, 'activation_rate_limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expectError(await attempt('198.51.100.21'), 401, 'activation_credential_invalid');
  });
});

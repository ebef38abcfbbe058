import { bearer, createTenant, expectError, Harness, startAuthProvider } from './harness';

/** R28: servers talk to the cloud over HTTPS only (TLS, or a trusted proxy saying so). Tests connect from loopback. */
describe('R28 server transport', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider({ SERVER_HTTPS_ONLY: 'true', TRUST_PROXY: '127.0.0.1/32, ::1' });
  });
  afterAll(() => h.close());

  it('refuses server activation and server calls over plain HTTP, accepts them over HTTPS', async () => {
    const t = await createTenant(h);
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'P', billingModel: 'per_authentication' });
    const cred = await h
      .http()
      .post(`/v1/providers/${p.body.id}/activation-credentials`)
      .set(bearer(t.apiKey))
      .send({});

    expectError(
      await h
        .http()
        .post('/v1/mfa-servers/activate')
        .send({ activationCredential: cred.body.credential, name: 'mfa-01' }),
      403,
      'https_required',
    );
    const activated = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .set('x-forwarded-proto', 'https')
      .send({ activationCredential: cred.body.credential, name: 'mfa-01' });
    expect(activated.status).toBe(201);

    const key = activated.body.serverCredential as string;
    expectError(await h.http().get('/v1/mfa-servers/self').set(bearer(key)), 403, 'https_required');
    expect((await h.http().get('/v1/mfa-servers/self').set(bearer(key)).set('x-forwarded-proto', 'https')).status).toBe(
      200,
    );
    // Tenant admins are not servers: their calls are not affected.
    expect((await h.http().get('/v1/providers').set(bearer(t.apiKey))).status).toBe(200);
  });
});

/**
 * Issue 15 item 7: only the proxies TRUST_PROXY lists may set X-Forwarded-For / X-Forwarded-Proto. A
 * caller reaching the service directly (here: loopback, not in the list) can neither claim HTTPS
 * (R28) nor choose the IP that is recorded and rate-limited.
 */
describe('TRUST_PROXY names the trusted proxies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider({ SERVER_HTTPS_ONLY: 'true', TRUST_PROXY: '10.0.0.0/8,192.0.2.10' });
  });
  afterAll(() => h.close());

  it('a caller outside the list cannot spoof X-Forwarded-Proto (R28 still refuses) or X-Forwarded-For', async () => {
    const t = await createTenant(h);
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'P', billingModel: 'per_authentication' });
    const cred = await h
      .http()
      .post(`/v1/providers/${p.body.id}/activation-credentials`)
      .set(bearer(t.apiKey))
      .send({});
    expectError(
      await h
        .http()
        .post('/v1/mfa-servers/activate')
        .set('x-forwarded-proto', 'https')
        .set('x-forwarded-for', '198.51.100.9')
        .send({ activationCredential: cred.body.credential, name: 'mfa-01' }),
      403,
      'https_required',
    );
  });
});

describe('TRUST_PROXY names the trusted proxies (per-IP limits)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider({ TRUST_PROXY: '10.0.0.0/8,192.0.2.10' });
  });
  afterAll(() => h.close());

  it('per-IP limits count the connection, not a claimed X-Forwarded-For', async () => {
    const attempt = (ip: string) =>
      h
        .http()
        .post('/v1/mfa-servers/activate')
        .set('x-forwarded-for', ip)
        .send({ activationCredential: 'tfa_not-a-real-one', name: 'guess' });
    // 20 attempts allowed per IP in 10 minutes: with a fresh spoofed IP each time, the 21st is still refused.
    for (let i = 0; i < 20; i++) await attempt(`198.51.100.${i + 1}`);
    expectError(await attempt('198.51.100.99'), 429, 'activation_rate_limited');
  });
});

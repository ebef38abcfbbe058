import { bearer, createTenant, expectError, Harness, startAuthProvider } from './harness';

/** R28: servers talk to the cloud over HTTPS only (TLS, or a trusted proxy saying so). */
describe('R28 server transport', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startAuthProvider({ SERVER_HTTPS_ONLY: 'true', TRUST_PROXY: 'true' });
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

import { describeFindings, fuzzOpenApi, OpenApiDocument } from '@twofold/platform/testing';
import { bearer, createTenant, createUser, Harness, OPERATOR_KEY, startAuthProvider } from './harness';

/** Issue 15, the net: malformed input to every operation of auth-provider's OpenAPI document (see openapi-fuzz.ts). */
describe('OpenAPI fuzz net: auth-provider', () => {
  let h: Harness;
  let credentials: string[];

  beforeAll(async () => {
    h = await startAuthProvider();
    const t = await createTenant(h, 'Fuzz');
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
    const server = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: cred.body.credential, name: 'fuzz-server' });
    // Objects for the operations on existing ones (the net takes the first id each list shows).
    await createUser(h, t, { phoneNumber: '+14255550100', email: 'fuzz@contoso.example', mfaEnabled: true });
    await h.http().post('/v1/api-keys').set(bearer(t.apiKey)).send({ name: 'second' });
    await h
      .http()
      .post('/v1/license-pools')
      .set(bearer(t.apiKey))
      .send({ seats: 3, termStart: '2026-01-01T00:00:00Z', termEnd: '2099-01-01T00:00:00Z' });
    await h
      .http()
      .post('/v1/oath-tokens/import')
      .set(bearer(t.apiKey))
      .send({ format: 'csv', content: 'FUZZ-1,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,30\n' });
    credentials = [`Bearer ${t.apiKey}`, `Bearer ${OPERATOR_KEY}`, `Bearer ${server.body.serverCredential}`];
  });
  afterAll(() => h.close());

  it('no operation answers 5xx; every 4xx carries code, message and correlationId (R29)', async () => {
    const document = (await h.http().get('/docs/openapi.json')).body as OpenApiDocument;
    const report = await fuzzOpenApi({ http: h.http, document, credentials });
    expect(report.operations).toBeGreaterThan(40);
    expect(describeFindings(report.findings)).toEqual([]);
  }, 120_000);
});

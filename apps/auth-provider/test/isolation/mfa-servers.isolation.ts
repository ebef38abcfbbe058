import { bearer } from '../harness';
import type { IsolationFeature } from './feature';

export const mfaServers: IsolationFeature = {
  name: 'MFA servers, activation credentials, re-linking',
  cases: [
    { method: 'post', path: '/v1/providers/{id}/activation-credentials', body: {} },
    { method: 'get', path: '/v1/providers/{id}/activation-credentials' },
    { method: 'delete', path: '/v1/providers/{id}/activation-credentials/{credentialId}' },
    { method: 'post', path: '/v1/providers/{id}/link', body: { tenantId: null } },
    { method: 'get', path: '/v1/mfa-servers/{id}' },
    { method: 'patch', path: '/v1/mfa-servers/{id}', body: { name: 'hijacked' } },
    { method: 'delete', path: '/v1/mfa-servers/{id}' },
  ],
  async seed(h, a) {
    const provider = await h
      .http()
      .post('/v1/providers')
      .set(bearer(a.apiKey))
      .send({ name: 'A servers', billingModel: 'per_authentication' });
    const p = provider.body.id as string;
    const used = await h.http().post(`/v1/providers/${p}/activation-credentials`).set(bearer(a.apiKey)).send({});
    const spare = await h.http().post(`/v1/providers/${p}/activation-credentials`).set(bearer(a.apiKey)).send({});
    const server = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: used.body.credential, name: 'A server' });
    return {
      '/v1/providers/{id}/activation-credentials': `/v1/providers/${p}/activation-credentials`,
      '/v1/providers/{id}/activation-credentials/{credentialId}': `/v1/providers/${p}/activation-credentials/${spare.body.id}`,
      '/v1/providers/{id}/link': `/v1/providers/${p}/link`,
      '/v1/mfa-servers/{id}': `/v1/mfa-servers/${server.body.serverId}`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const server = await h
      .http()
      .get(urls['/v1/mfa-servers/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(server.body).toMatchObject({ name: 'A server', status: 'active' });
    const credentials = await h
      .http()
      .get(urls['/v1/providers/{id}/activation-credentials'] as string)
      .set(bearer(a.apiKey));
    expect(credentials.body.items).toHaveLength(2);
    for (const c of credentials.body.items) expect(c.revokedAt).toBeNull();
    const provider = await h
      .http()
      .get((urls['/v1/providers/{id}/link'] as string).replace(/\/link$/, ''))
      .set(bearer(a.apiKey));
    expect(provider.body.tenantId).toBe(a.id);
  },
};

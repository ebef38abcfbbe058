import { bearer } from '../harness';
import type { IsolationFeature } from './feature';

export const foundation: IsolationFeature = {
  name: 'tenants, API keys, providers',
  cases: [
    { method: 'get', path: '/v1/tenants/{id}' },
    { method: 'patch', path: '/v1/tenants/{id}', body: { name: 'hijacked' } },
    { method: 'post', path: '/v1/tenants/{id}/suspend', body: { reason: 'hijacked' }, operatorOnly: true },
    { method: 'post', path: '/v1/tenants/{id}/resume', operatorOnly: true },
    { method: 'delete', path: '/v1/tenants/{id}', operatorOnly: true },
    { method: 'get', path: '/v1/api-keys/{id}' },
    { method: 'delete', path: '/v1/api-keys/{id}' },
    { method: 'get', path: '/v1/providers/{id}' },
    { method: 'patch', path: '/v1/providers/{id}', body: { name: 'hijacked' } },
    { method: 'delete', path: '/v1/providers/{id}' },
  ],
  async seed(h, a) {
    const provider = await h
      .http()
      .post('/v1/providers')
      .set(bearer(a.apiKey))
      .send({ name: 'A provider', billingModel: 'per_user' });
    const key = await h.http().post('/v1/api-keys').set(bearer(a.apiKey)).send({ name: 'A second key' });
    return {
      '/v1/tenants/{id}': `/v1/tenants/${a.id}`,
      '/v1/tenants/{id}/suspend': `/v1/tenants/${a.id}/suspend`,
      '/v1/tenants/{id}/resume': `/v1/tenants/${a.id}/resume`,
      '/v1/providers/{id}': `/v1/providers/${provider.body.id}`,
      '/v1/api-keys/{id}': `/v1/api-keys/${key.body.id}`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const tenant = await h
      .http()
      .get(urls['/v1/tenants/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(tenant.body.name).toBe(a.name);
    expect(tenant.body.state).toBe('active');
    const provider = await h
      .http()
      .get(urls['/v1/providers/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(provider.status).toBe(200);
    expect(provider.body.name).toBe('A provider');
    const key = await h
      .http()
      .get(urls['/v1/api-keys/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(key.body.revokedAt).toBeNull();
  },
};

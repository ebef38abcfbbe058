import { bearer, createUser } from '../harness';
import type { IsolationFeature } from './feature';

export const users: IsolationFeature = {
  name: 'users',
  cases: [
    { method: 'get', path: '/v1/users/{id}' },
    { method: 'patch', path: '/v1/users/{id}', body: { mfaEnabled: false, firstName: 'hijacked' } },
    { method: 'delete', path: '/v1/users/{id}' },
    // docs/decisions/0025: erasing another tenant's user is 404 and erases nothing.
    { method: 'post', path: '/v1/users/{id}/erase' },
    // Issue 18: unlocking another tenant's user is 404 and audits nothing.
    { method: 'post', path: '/v1/users/{id}/unlock' },
  ],
  async seed(h, a) {
    const u = await createUser(h, a, { userName: 'isolated@a.example', mfaEnabled: true });
    return {
      '/v1/users/{id}': `/v1/users/${u.id}`,
      '/v1/users/{id}/erase': `/v1/users/${u.id}/erase`,
      '/v1/users/{id}/unlock': `/v1/users/${u.id}/unlock`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const u = await h
      .http()
      .get(urls['/v1/users/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(u.body).toMatchObject({ userName: 'isolated@a.example', mfaEnabled: true, firstName: null });
    const log = await h.http().get('/v1/audit-log').query({ action: 'user.erase' }).set(bearer(a.apiKey));
    expect(log.body.items).toEqual([]);
    const unlocks = await h.http().get('/v1/audit-log').query({ action: 'user.unlock' }).set(bearer(a.apiKey));
    expect(unlocks.body.items).toEqual([]);
  },
};

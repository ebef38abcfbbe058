import { bearer, createUser } from '../harness';
import type { IsolationFeature } from './feature';

export const licenses: IsolationFeature = {
  name: 'licenses',
  cases: [
    { method: 'get', path: '/v1/license-pools/{id}' },
    { method: 'patch', path: '/v1/license-pools/{id}', body: { seats: 1000 } },
    { method: 'delete', path: '/v1/license-pools/{id}' },
    { method: 'get', path: '/v1/license-pools/{id}/assignments' },
    {
      method: 'post',
      path: '/v1/license-pools/{id}/assignments',
      body: { userId: '00000000-0000-4000-8000-000000000000' },
    },
    {
      method: 'post',
      path: '/v1/license-pools/{id}/assignments/bulk',
      body: { userIds: ['00000000-0000-4000-8000-000000000000'] },
    },
    { method: 'delete', path: '/v1/license-pools/{id}/assignments/{userId}' },
  ],
  async seed(h, a) {
    const pool = await h
      .http()
      .post('/v1/license-pools')
      .set(bearer(a.apiKey))
      .send({ seats: 2, termStart: '2026-01-01T00:00:00Z', termEnd: '2099-01-01T00:00:00Z' });
    const u = await createUser(h, a);
    await h
      .http()
      .post(`/v1/license-pools/${pool.body.id}/assignments`)
      .set(bearer(a.apiKey))
      .send({ userId: u.id })
      .expect(201);
    const base = `/v1/license-pools/${pool.body.id}`;
    return {
      '/v1/license-pools/{id}': base,
      '/v1/license-pools/{id}/assignments': `${base}/assignments`,
      '/v1/license-pools/{id}/assignments/bulk': `${base}/assignments/bulk`,
      '/v1/license-pools/{id}/assignments/{userId}': `${base}/assignments/${u.id}`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const pool = await h
      .http()
      .get(urls['/v1/license-pools/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(pool.body).toMatchObject({ seats: 2, assigned: 1 });
  },
};

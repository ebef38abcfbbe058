import { bearer, createPool, createUser } from '../harness';
import type { IsolationFeature } from './feature';

export const licenses: IsolationFeature = {
  name: 'licenses',
  cases: [
    { method: 'get', path: '/v1/license-pools/{id}' },
    // Seats, term and deletion take the operator key (a tenant key gets 403 operator_only: licenses.test.ts).
    { method: 'patch', path: '/v1/license-pools/{id}', body: { name: 'renamed' } },
    { method: 'patch', path: '/v1/license-pools/{id}', body: { seats: 1000 }, asOperator: 'body' },
    { method: 'delete', path: '/v1/license-pools/{id}', asOperator: 'query' },
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
    const pool = { body: await createPool(h, a, 2) };
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

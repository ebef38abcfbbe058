import { adminQuery } from '@twofold/platform/testing';
import { bearer, createUser } from '../harness';
import type { IsolationFeature } from './feature';

export const authentications: IsolationFeature = {
  name: 'authentications',
  cases: [
    { method: 'get', path: '/v1/authentications/{id}' },
    { method: 'post', path: '/v1/authentications/{id}/verify', body: { code: '123456' } },
    { method: 'post', path: '/v1/authentications/{id}/resend', body: {} },
  ],
  async seed(h, a) {
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(a.apiKey))
      .send({ name: 'A auth', billingModel: 'per_authentication' });
    const u = await createUser(h, a, { mfaEnabled: true });
    await h
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(a.apiKey))
      .send({ method: 'sms', phoneNumber: '+14255550123' });
    const auth = await h.http().post('/v1/authentications').set(bearer(a.apiKey)).send({ userId: u.id, method: 'sms' });
    if (auth.status !== 201) throw new Error(`seed failed: ${JSON.stringify(auth.body)}`);
    const base = `/v1/authentications/${auth.body.id}`;
    return {
      '/v1/authentications/{id}': base,
      '/v1/authentications/{id}/verify': `${base}/verify`,
      '/v1/authentications/{id}/resend': `${base}/resend`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const id = (urls['/v1/authentications/{id}'] as string).split('/').pop();
    const rows = await adminQuery(h.db, 'SELECT status, attempts, sends_count FROM authentications WHERE id = $1', [
      id,
    ]);
    expect(rows).toEqual([{ status: 'pending', attempts: 0, sends_count: 1 }]);
    expect(
      (
        await h
          .http()
          .get(urls['/v1/authentications/{id}'] as string)
          .set(bearer(a.apiKey))
      ).body.status,
    ).toBe('pending');
  },
};

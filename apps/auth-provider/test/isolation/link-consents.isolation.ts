import { bearer } from '../harness';
import type { IsolationFeature } from './feature';

export const linkConsents: IsolationFeature = {
  name: 'link consents',
  cases: [{ method: 'delete', path: '/v1/link-consents/{id}' }],
  async seed(h, a) {
    const consent = await h.http().post('/v1/link-consents').set(bearer(a.apiKey)).send({});
    return { '/v1/link-consents/{id}': `/v1/link-consents/${consent.body.id}` };
  },
  async verifyUntouched(h, a, urls) {
    const list = await h.http().get('/v1/link-consents').set(bearer(a.apiKey));
    const id = (urls['/v1/link-consents/{id}'] as string).split('/').pop();
    expect(list.body.items.find((c: { id: string }) => c.id === id)).toMatchObject({ revokedAt: null });
  },
};

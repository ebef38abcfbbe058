import { bearer } from '../harness';
import { inviteAndAccept, signIn, uniqueEmail } from '../admin-helpers';
import type { IsolationFeature } from './feature';

/** docs/decisions/0031: another tenant's admins, invitations and sessions are 404. */
export const admins: IsolationFeature = {
  name: 'admins, invitations, sessions',
  cases: [
    { method: 'get', path: '/v1/admins/{id}' },
    { method: 'patch', path: '/v1/admins/{id}', body: { role: 'auditor' } },
    { method: 'delete', path: '/v1/admins/{id}' },
    { method: 'delete', path: '/v1/admin-invitations/{id}' },
    { method: 'delete', path: '/v1/admin-sessions/{id}' },
  ],
  async seed(h, a) {
    const owner = await inviteAndAccept(h, a, 'owner');
    const session = await signIn(h, owner);
    const pending = await h
      .http()
      .post('/v1/admin-invitations')
      .set(bearer(a.apiKey))
      .send({ email: uniqueEmail('pending'), role: 'helpdesk' });
    return {
      '/v1/admins/{id}': `/v1/admins/${owner.id}`,
      '/v1/admin-invitations/{id}': `/v1/admin-invitations/${pending.body.id}`,
      '/v1/admin-sessions/{id}': `/v1/admin-sessions/${session.id}`,
      cookie: session.cookie,
    };
  },
  async verifyUntouched(h, a, urls) {
    const admin = await h
      .http()
      .get(urls['/v1/admins/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(admin.body.role).toBe('owner');
    const invitations = await h.http().get('/v1/admin-invitations').set(bearer(a.apiKey));
    expect(invitations.body.items.find((i: { role: string }) => i.role === 'helpdesk').state).toBe('pending');
    const stillSignedIn = await h
      .http()
      .get('/v1/admin-sessions')
      .set({ cookie: urls.cookie as string });
    expect(stillSignedIn.status).toBe(200);
  },
};

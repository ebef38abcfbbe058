import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearer, createUser } from '../harness';
import type { IsolationFeature } from './feature';

const FIGURE_10 = join(__dirname, '../../../../../shared/testdata/pskc/rfc6030/rfc6030-figure10.xml');

export const oathTokens: IsolationFeature = {
  name: 'oath-tokens',
  cases: [
    { method: 'get', path: '/v1/oath-tokens/{id}' },
    { method: 'post', path: '/v1/oath-tokens/{id}/assign', body: { userName: 'thief@b.example' } },
    { method: 'post', path: '/v1/oath-tokens/{id}/unassign' },
    { method: 'delete', path: '/v1/oath-tokens/{id}' },
  ],
  async seed(h, a) {
    const content = readFileSync(FIGURE_10, 'utf8').replace(/2006-/g, '2096-');
    const imported = await h.http().post('/v1/oath-tokens/import').set(bearer(a.apiKey)).send({ content }).expect(200);
    const id = imported.body.results[0].id as string;
    const u = await createUser(h, a, { userName: 'token-holder@a.example' });
    await h.http().post(`/v1/oath-tokens/${id}/assign`).set(bearer(a.apiKey)).send({ userId: u.id }).expect(200);
    const base = `/v1/oath-tokens/${id}`;
    return {
      '/v1/oath-tokens/{id}': base,
      '/v1/oath-tokens/{id}/assign': `${base}/assign`,
      '/v1/oath-tokens/{id}/unassign': `${base}/unassign`,
    };
  },
  async verifyUntouched(h, a, urls) {
    const token = await h
      .http()
      .get(urls['/v1/oath-tokens/{id}'] as string)
      .set(bearer(a.apiKey));
    expect(token.status).toBe(200);
    expect(token.body.assignedUserId).toEqual(expect.any(String));
  },
};

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { bearer, Harness, TenantFixture } from './harness';

/** A TOTP code for `secret` (base32) at `at`, from oathtool: an independent oracle (STYLE: tests). */
export function oathtoolCode(secret: string, at: Date): string {
  const now = at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return execFileSync('oathtool', ['--totp', '-b', '--now', now, secret], { encoding: 'utf8' }).trim();
}

export const uniqueEmail = (who: string) => `${who}-${randomBytes(5).toString('hex')}@contoso.example`;
export const PASSWORD = 'correct horse battery staple';

export interface AdminFixture {
  id: string;
  email: string;
  secret: string;
}

/** Invites (with the tenant's all-powerful key, or `by`'s headers) and accepts one admin. */
export async function inviteAndAccept(
  h: Harness,
  t: TenantFixture,
  role: string,
  by: Record<string, string> = bearer(t.apiKey),
): Promise<AdminFixture> {
  const email = uniqueEmail(role);
  const inv = await h.http().post('/v1/admin-invitations').set(by).send({ email, role });
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const acc = await h.http().post('/v1/admin-invitations/accept').send({ token: inv.body.token, password: PASSWORD });
  if (acc.status !== 200) throw new Error(`accept failed: ${acc.status} ${JSON.stringify(acc.body)}`);
  return { id: acc.body.admin.id as string, email, secret: acc.body.totp.secret as string };
}

export interface SessionFixture {
  id: string;
  cookie: string;
  csrf: string;
  /** Headers for a state-changing request: the cookie and the CSRF token. */
  write: Record<string, string>;
}

/** Signs in with a code for `at` (default: now). */
export async function signIn(
  h: Harness,
  admin: AdminFixture,
  at: Date = new Date(),
  extra: Record<string, string> = {},
): Promise<SessionFixture> {
  const res = await h
    .http()
    .post('/v1/admin-sessions')
    .set(extra)
    .send({ email: admin.email, password: PASSWORD, code: oathtoolCode(admin.secret, at) });
  if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = (setCookie[0] ?? '').split(';')[0] as string;
  return {
    id: res.body.session.id as string,
    cookie,
    csrf: res.body.csrfToken as string,
    write: { cookie, 'x-csrf-token': res.body.csrfToken as string },
  };
}

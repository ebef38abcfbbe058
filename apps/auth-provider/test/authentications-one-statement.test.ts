import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { MAX_ATTEMPTS } from '@twofold/authentication/domain';
import { SendSmsJob } from '@twofold/delivery/contracts';
import { SecretBox } from '@twofold/platform/crypto';
import { DbService, TappedStatement } from '@twofold/platform/db';
import { authenticationsTotal } from '@twofold/platform/metrics';
import { adminQuery } from '@twofold/platform/testing';
import { codeAad } from '@twofold/secrets/contracts';
import { AuthenticationGuards } from '../src/authentications/authentication-guards';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

/**
 * docs/decisions/0028: an SMS/voice verification is one statement (BEGIN and COMMIT pipelined
 * around it) that locks, gates (R12, R13), compares, counts the attempt (R13), closes and writes the
 * one record (R26); the user's lockout (docs/decisions/0009) is asked before it, by the user the
 * start remembered. Without that entry the two-step path answers, and both paths write the same record.
 */
describe('SMS/voice verification in one statement (docs/decisions/0028)', () => {
  let h: Harness;
  let t: TenantFixture;
  let providerId: string;
  let redis: Redis;
  let smsQueue: Queue;
  let server: { serverCredential: string };
  let otherServer: { serverCredential: string };

  beforeAll(async () => {
    h = await startAuthProvider({ DATABASE_POOL_SIZE: '10' });
    t = await createTenant(h, 'Contoso', 'eu');
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication', recordFields: { email: false, serverIp: false } });
    providerId = p.body.id;
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    smsQueue = new Queue('delivery.sms', { connection: redis, prefix: h.queuePrefix });
    const activate = async (name: string) => {
      const cred = await h
        .http()
        .post(`/v1/providers/${providerId}/activation-credentials`)
        .set(bearer(t.apiKey))
        .send({});
      const res = await h
        .http()
        .post('/v1/mfa-servers/activate')
        .send({ activationCredential: cred.body.credential, name });
      expect(res.status).toBe(201);
      return res.body as { serverCredential: string };
    };
    server = await activate('mfa-01');
    otherServer = await activate('mfa-02');
  });
  afterAll(async () => {
    await smsQueue.close();
    await redis.quit();
    await h.close();
  });

  const smsUser = async () => {
    const u = await createUser(h, t, { mfaEnabled: true, email: 'u@contoso.example' });
    await h
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(t.apiKey))
      .send({ method: 'sms', phoneNumber: '+14255550100' })
      .expect(201);
    return u;
  };
  const start = (body: object, key = t.apiKey) =>
    h
      .http()
      .post('/v1/authentications')
      .set(bearer(key))
      .send({ providerId, ...body });
  const verify = (id: string, body: object, key = t.apiKey) =>
    h.http().post(`/v1/authentications/${id}/verify`).set(bearer(key)).send(body);

  const codeOf = async (authenticationId: string): Promise<string> => {
    const jobs = await smsQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    const job = jobs.map((j) => j.data as SendSmsJob).find((d) => d.authenticationId === authenticationId);
    if (!job) throw new Error('no queued SMS job for this authentication');
    return h.app
      .get(SecretBox)
      .open(job.code.keyId, Buffer.from(job.code.ciphertext, 'base64'), codeAad(job.tenantId, job.messageId))
      .toString('utf8');
  };
  const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  /** The tenant statements a call sends (the credential lookup is platform-level, cached or not). */
  const tapped = async <T>(work: () => Promise<T>): Promise<{ result: T; statements: TappedStatement[] }> => {
    const statements: TappedStatement[] = [];
    const untap = h.app.get(DbService).tapStatements((s) => statements.push(s));
    try {
      const result = await work();
      // From the first transaction on: a credential lookup (when not cached) comes before it.
      return {
        result,
        statements: statements.slice(
          Math.max(
            0,
            statements.findIndex((s) => /^BEGIN/.test(s.text)),
          ),
        ),
      };
    } finally {
      untap();
    }
  };
  const records = (authenticationId: string) =>
    adminQuery<Record<string, unknown>>(
      h.db,
      `SELECT provider_id, unique_id, user_id, server_id, first_name, last_name, email, phone, device_token, method,
              mode, result, deny_reason, server_name, server_ip, client_ip, data_region, delivery_status,
              occurred_at, correlation_id
         FROM authentication_records WHERE authentication_id = $1`,
      [authenticationId],
    );
  const authentication = async (id: string) =>
    (
      await adminQuery<{ status: string; attempts: number; deny_reason: string | null; completed_at: Date | null }>(
        h.db,
        'SELECT status, attempts, deny_reason, completed_at FROM authentications WHERE id = $1',
        [id],
      )
    )[0];
  const forget = (id: string) => redis.del(`auth-user:{${t.id}:${id}}`);
  const counted = async (): Promise<number> =>
    (await authenticationsTotal.get()).values.filter((v) => v.labels.method === 'sms').reduce((n, v) => n + v.value, 0);

  it('a verification is BEGIN, one statement and COMMIT, in one round trip', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const code = await codeOf(res.body.id);
    const { result, statements } = await tapped(() => verify(res.body.id, { code }));
    expect(result.body).toMatchObject({ status: 'approved', final: true });
    expect(statements.map((s) => s.text.split(/\s/)[0])).toEqual(['BEGIN;', 'WITH', 'COMMIT']);
    expect(statements[1]?.text).toMatch(/^WITH u AS \(\s+UPDATE authentications t SET/);
    // Without the remembered user, the two-step path: the locking read, then the close with COMMIT.
    const again = await start({ userId: u.id, method: 'sms' });
    await forget(again.body.id);
    const old = await tapped(async () => verify(again.body.id, { code: await codeOf(again.body.id) }));
    expect(old.result.body).toMatchObject({ status: 'approved', final: true });
    expect(old.statements.map((s) => s.text.split(/\s/)[0])).toEqual(['BEGIN;', 'SELECT', 'WITH', 'COMMIT']);
  });

  it('20 parallel verifies with the right code: exactly one approval (one record, counted once), the others see it closed', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const code = await codeOf(res.body.id);
    const before = await counted();
    const { result: answers, statements } = await tapped(() =>
      Promise.all(Array.from({ length: 20 }, () => verify(res.body.id, { code }))),
    );
    for (const a of answers) expect(a.body).toMatchObject({ status: 'approved', final: true });
    // Each in its one statement: the 19 that waited for the row lock read it closed, none fell back.
    expect(statements.filter((s) => /^BEGIN/.test(s.text))).toHaveLength(20);
    expect(await records(res.body.id)).toEqual([expect.objectContaining({ result: 'success', deny_reason: null })]);
    expect(await counted()).toBe(before + 1);
    expect(await authentication(res.body.id)).toMatchObject({ status: 'succeeded', attempts: 0 });
  });

  it('R13: 20 parallel wrong codes count exactly MAX_ATTEMPTS attempts, deny on the last, and leave one record', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const wrong = wrongOf(await codeOf(res.body.id));
    const before = await counted();
    const { result: answers, statements } = await tapped(() =>
      Promise.all(Array.from({ length: 20 }, () => verify(res.body.id, { code: wrong }))),
    );
    expect(statements.filter((s) => /^BEGIN/.test(s.text))).toHaveLength(20);
    const open = answers.filter((a) => a.body.final === false);
    expect(open).toHaveLength(MAX_ATTEMPTS - 1);
    for (const a of open) expect(a.body).toMatchObject({ status: 'denied', reason: 'invalid_code' });
    expect(open.map((a) => a.body.attemptsRemaining).sort()).toEqual([1, 2, 3, 4]);
    const closed = answers.filter((a) => a.body.final === true);
    expect(closed).toHaveLength(20 - (MAX_ATTEMPTS - 1));
    for (const a of closed) expect(a.body).toMatchObject({ status: 'denied', reason: 'too_many_attempts' });
    expect(await authentication(res.body.id)).toMatchObject({ status: 'denied', attempts: MAX_ATTEMPTS });
    expect(await records(res.body.id)).toEqual([
      expect.objectContaining({ result: 'deny', deny_reason: 'too_many_attempts' }),
    ]);
    expect(await counted()).toBe(before + 1);
    // docs/decisions/0009: each counted wrong code is one lockout failure, the answers to a closed one none.
    expect(await redis.zcard(`lockout:verify:{${t.id}:${u.id}}:f`)).toBe(MAX_ATTEMPTS);
  });

  it('mixed right and wrong codes in parallel: at most one approval, attempts never past the maximum, one record', async () => {
    for (let round = 0; round < 3; round++) {
      const u = await smsUser();
      const res = await start({ userId: u.id, method: 'sms' });
      const code = await codeOf(res.body.id);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => verify(res.body.id, { code: i % 2 === 0 ? code : wrongOf(code) })),
      );
      for (const a of answers) expect(a.status).toBe(200);
      const row = await authentication(res.body.id);
      expect(row?.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(row?.status).not.toBe('pending');
      const recs = await records(res.body.id);
      expect(recs).toHaveLength(1);
      expect(recs[0]?.result).toBe(row?.status === 'succeeded' ? 'success' : 'deny');
      const approvedFirst = answers.filter((a) => a.body.status === 'approved');
      if (row?.status === 'succeeded') expect(approvedFirst.length).toBeGreaterThanOrEqual(1);
      else expect(approvedFirst).toHaveLength(0);
    }
  });

  describe('R26: the one-statement path writes the record the two-step path writes, field for field', () => {
    /** Runs `scenario` on two authentications, the second with its remembered user forgotten. */
    const bothPaths = async (
      scenario: (id: string, code: string) => Promise<void>,
      startWith: { key?: string } = {},
    ): Promise<Record<string, unknown>[][]> => {
      const u = await smsUser();
      const out: Record<string, unknown>[][] = [];
      for (const twoStep of [false, true]) {
        const res = await start({ userName: u.userName, method: 'sms', clientIp: '203.0.113.9' }, startWith.key);
        expect(res.status).toBe(201);
        if (twoStep) await forget(res.body.id);
        const { statements } = await tapped(async () => scenario(res.body.id, await codeOf(res.body.id)));
        const lockingReads = statements.filter((s) => /^SELECT[\s\S]*FOR UPDATE OF a/.test(s.text));
        expect(lockingReads.length > 0).toBe(twoStep);
        expect(statements.some((s) => s.text.startsWith('WITH u AS ('))).toBe(!twoStep);
        const recs = await records(res.body.id);
        expect(recs).toHaveLength(1);
        const row = await authentication(res.body.id);
        // occurredAt is the completion time, the correlation id the start's: same rule, other values.
        expect((recs[0]?.occurred_at as Date).getTime()).toBe(row?.completed_at?.getTime());
        expect(recs[0]?.correlation_id).toEqual(expect.any(String));
        out.push(recs.map(({ occurred_at: _o, correlation_id: _c, ...rest }) => rest));
      }
      expect(out[0]).toEqual(out[1]);
      return out;
    };

    it('success', async () => {
      const [recs] = await bothPaths(async (id, code) => {
        expect((await verify(id, { code })).body.status).toBe('approved');
      });
      expect(recs?.[0]).toMatchObject({
        result: 'success',
        email: null,
        phone: '+14255550100',
        client_ip: '203.0.113.9',
        data_region: 'eu',
        delivery_status: 'queued',
        mode: 'sms',
      });
    });

    it('wrong codes until the final denial', async () => {
      const [recs] = await bothPaths(async (id, code) => {
        for (let i = 1; i < MAX_ATTEMPTS; i++)
          expect((await verify(id, { code: wrongOf(code) })).body.final).toBe(false);
        expect((await verify(id, { code: wrongOf(code) })).body).toMatchObject({ reason: 'too_many_attempts' });
      });
      expect(recs?.[0]).toMatchObject({ result: 'deny', deny_reason: 'too_many_attempts' });
    });

    it('expired', async () => {
      const [recs] = await bothPaths(async (id, code) => {
        await adminQuery(h.db, `UPDATE authentications SET expires_at = now() - interval '1 second' WHERE id = $1`, [
          id,
        ]);
        expect((await verify(id, { code })).body).toMatchObject({ status: 'denied', reason: 'expired' });
      });
      expect(recs?.[0]).toMatchObject({ result: 'deny', deny_reason: 'expired' });
    });

    it('wrong server (R12), with the server fields the provider keeps', async () => {
      const [recs] = await bothPaths(
        async (id, code) => {
          expect((await verify(id, { code }, otherServer.serverCredential)).body).toMatchObject({
            reason: 'wrong_server',
          });
        },
        { key: server.serverCredential },
      );
      expect(recs?.[0]).toMatchObject({ result: 'deny', deny_reason: 'wrong_server', server_name: 'mfa-01' });
      expect(recs?.[0]?.server_ip).toBeNull();
    });
  });

  it('docs/decisions/0009: a locked-out user gets 429 even with the right code, and nothing is written', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const code = await codeOf(res.body.id);
    const guards = h.app.get(AuthenticationGuards);
    for (let i = 0; i < 10; i++) await guards.lockout.recordFailure(AuthenticationGuards.userKey(t.id, u.id));
    expectError(await verify(res.body.id, { code }), 429, 'user_locked_out');
    expect(await authentication(res.body.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await records(res.body.id)).toHaveLength(0);
    await guards.lockout.recordSuccess(AuthenticationGuards.userKey(t.id, u.id));
    expect((await verify(res.body.id, { code })).body.status).toBe('approved');
  });

  it('a remembered user that is not the authentication’s changes nothing: the two-step path answers', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    await redis.set(`auth-user:{${t.id}:${res.body.id}}`, '00000000-0000-4000-8000-000000000000', 'PX', 60_000);
    const { result, statements } = await tapped(async () => verify(res.body.id, { code: await codeOf(res.body.id) }));
    expect(result.body.status).toBe('approved');
    expect(statements.filter((s) => /^BEGIN/.test(s.text))).toHaveLength(2);
    expect(await records(res.body.id)).toHaveLength(1);
  });

  it('another tenant’s authentication answers 404 on this path too', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const other = await createTenant(h, 'Fabrikam');
    await redis.set(`auth-user:{${other.id}:${res.body.id}}`, u.id, 'PX', 60_000);
    expectError(
      await verify(res.body.id, { code: await codeOf(res.body.id) }, other.apiKey),
      404,
      'authentication_not_found',
    );
    expect(await authentication(res.body.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

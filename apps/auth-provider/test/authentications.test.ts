import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { decodeBase32, totp } from '@twofold/authentication/domain';
import { SendSmsJob } from '@twofold/delivery/contracts';
import { SecretBox } from '@twofold/platform/crypto';
import { adminQuery } from '@twofold/platform/testing';
import { AuthenticationsService } from '../src/authentications/authentications.service';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';
import { codeAad, deviceSecretAad } from '@twofold/secrets/contracts';

describe('authentication API (R11–R14, R17, R18, R26)', () => {
  let h: Harness;
  let t: TenantFixture;
  let providerId: string;
  let redis: Redis;
  let smsQueue: Queue;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h, 'Contoso', 'eu');
    const p = await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication' });
    providerId = p.body.id;
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    smsQueue = new Queue('delivery.sms', { connection: redis, prefix: h.queuePrefix });
  });
  afterAll(async () => {
    await smsQueue.close();
    await redis.quit();
    await h.close();
  });

  /** A user with SMS registered at a phone number. */
  const smsUser = async (tenant = t, extra: object = {}) => {
    const u = await createUser(h, tenant, { mfaEnabled: true, ...extra });
    await h
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(tenant.apiKey))
      .send({ method: 'sms', phoneNumber: '+14255550100' })
      .expect(201);
    return u;
  };
  const start = (body: object, key = t.apiKey) => h.http().post('/v1/authentications').set(bearer(key)).send(body);
  const verify = (id: string, body: object, key = t.apiKey) =>
    h.http().post(`/v1/authentications/${id}/verify`).set(bearer(key)).send(body);

  /** The code as the delivery worker will get it: from the queued job, opened with the platform keys. */
  const codeOf = async (authenticationId: string): Promise<string> => {
    const jobs = await smsQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    const job = jobs
      .filter((j) => (j.data as SendSmsJob).authenticationId === authenticationId)
      .sort((x, y) => x.timestamp - y.timestamp)
      .map((j) => j.data as SendSmsJob)
      .pop();
    if (!job) throw new Error('no queued SMS job for this authentication');
    const box = h.app.get(SecretBox);
    return box
      .open(job.code.keyId, Buffer.from(job.code.ciphertext, 'base64'), codeAad(job.tenantId, job.messageId))
      .toString('utf8');
  };

  it('SMS: a code is queued, stored only as a hash, verifies once; one usage row and one record (R2, R13, R24, R26)', async () => {
    const u = await smsUser();
    const before = Date.now();
    const res = await start({ userId: u.id, method: 'sms', clientIp: '203.0.113.7' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending', method: 'sms' });
    const ttl = new Date(res.body.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(175_000);
    expect(ttl).toBeLessThanOrEqual(181_000);

    const code = await codeOf(res.body.id);
    expect(code).toMatch(/^\d{6}$/);
    const stored = await adminQuery(h.db, 'SELECT code_hash FROM authentications WHERE id = $1', [res.body.id]);
    expect(JSON.stringify(stored)).not.toContain(code);
    const jobs = JSON.stringify((await smsQueue.getJobs(['waiting'])).map((j) => j.data));
    expect(jobs).not.toContain(`"${code}"`);

    const ok = await verify(res.body.id, { code });
    expect(ok.body).toMatchObject({ id: res.body.id, status: 'approved', final: true });
    expect((await verify(res.body.id, { code })).body.status).toBe('approved');
    expect((await h.http().get(`/v1/authentications/${res.body.id}`).set(bearer(t.apiKey))).body).toMatchObject({
      status: 'approved',
    });

    const usage = await adminQuery(h.db, 'SELECT kind, idempotency_key FROM usage_ledger WHERE subject_id = $1', [
      res.body.id,
    ]);
    expect(usage).toEqual([{ kind: 'authentication', idempotency_key: `authentication:${res.body.id}` }]);
    const records = await adminQuery(h.db, 'SELECT * FROM authentication_records WHERE authentication_id = $1', [
      res.body.id,
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      result: 'success',
      method: 'sms',
      unique_id: u.userName,
      phone: '+14255550100',
      client_ip: '203.0.113.7',
      data_region: 'eu',
      provider_id: providerId,
      delivery_status: 'queued',
    });
  });

  it('R13: five wrong codes deny with too_many_attempts; the right code after that does nothing', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const code = await codeOf(res.body.id);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const r = await verify(res.body.id, { code: wrong });
      expect(r.body).toMatchObject({
        status: 'denied',
        reason: 'invalid_code',
        final: false,
        attemptsRemaining: 5 - i,
      });
    }
    expect((await verify(res.body.id, { code: wrong })).body).toMatchObject({
      status: 'denied',
      reason: 'too_many_attempts',
      final: true,
    });
    expect((await verify(res.body.id, { code })).body).toMatchObject({ status: 'denied', reason: 'too_many_attempts' });
    const records = await adminQuery(
      h.db,
      'SELECT result, deny_reason FROM authentication_records WHERE authentication_id = $1',
      [res.body.id],
    );
    expect(records).toEqual([{ result: 'deny', deny_reason: 'too_many_attempts' }]);
  });

  it('R14/R2: a resend replaces the code and is not billed again', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const first = await codeOf(res.body.id);
    await h.http().post(`/v1/authentications/${res.body.id}/resend`).set(bearer(t.apiKey)).send({}).expect(200);
    const second = await codeOf(res.body.id);
    if (first !== second) expect((await verify(res.body.id, { code: first })).body.reason).toBe('invalid_code');
    expect((await verify(res.body.id, { code: second })).body.status).toBe('approved');
    const usage = await adminQuery(h.db, 'SELECT 1 FROM usage_ledger WHERE subject_id = $1', [res.body.id]);
    expect(usage).toHaveLength(1);
    const auth = await adminQuery(h.db, 'SELECT sends_count FROM authentications WHERE id = $1', [res.body.id]);
    expect(auth[0]).toEqual({ sends_count: 2 });
  });

  it('R13: the 6th SMS/voice send within 5 minutes gets 429 with Retry-After', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    for (let i = 0; i < 4; i++)
      await h.http().post(`/v1/authentications/${res.body.id}/resend`).set(bearer(t.apiKey)).send({}).expect(200);
    const sixth = await start({ userId: u.id, method: 'sms' });
    expectError(sixth, 429, 'send_limit_reached');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(sixth.headers['retry-after'])).toBeLessThanOrEqual(300);
  });

  it('R13: an expired code is denied with expired, and the authentication ends in one record', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    const code = await codeOf(res.body.id);
    await adminQuery(h.db, `UPDATE authentications SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      res.body.id,
    ]);
    expect((await verify(res.body.id, { code })).body).toMatchObject({ status: 'denied', reason: 'expired' });
    expect(
      await adminQuery(h.db, 'SELECT 1 FROM authentication_records WHERE authentication_id = $1', [res.body.id]),
    ).toHaveLength(1);
  });

  it('abandoned authentications are closed by the sweeper, exactly once', async () => {
    const u = await smsUser();
    const res = await start({ userId: u.id, method: 'sms' });
    await adminQuery(h.db, `UPDATE authentications SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      res.body.id,
    ]);
    const sweeper = h.app.get(AuthenticationsService);
    expect(await sweeper.sweepExpired()).toBeGreaterThanOrEqual(1);
    await sweeper.sweepExpired();
    const records = await adminQuery(
      h.db,
      'SELECT deny_reason FROM authentication_records WHERE authentication_id = $1',
      [res.body.id],
    );
    expect(records).toEqual([{ deny_reason: 'expired' }]);
    expect((await h.http().get(`/v1/authentications/${res.body.id}`).set(bearer(t.apiKey))).body).toMatchObject({
      status: 'denied',
      reason: 'expired',
    });
  });

  it('app_code: a TOTP from the activated app verifies; the same step again is refused (replay)', async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    const device = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({ deviceName: 'phone' });
    const secret = decodeBase32(new URL(device.body.otpauthUri).searchParams.get('secret') as string);
    const code = totp(secret, Date.now(), { algorithm: 'SHA1', digits: 6, period: 30 });
    const a = await start({ userId: u.id, method: 'app_code' });
    expect((await verify(a.body.id, { code })).body.status).toBe('approved');
    const b = await start({ userId: u.id, method: 'app_code' });
    expect((await verify(b.body.id, { code })).body).toMatchObject({ status: 'denied', reason: 'invalid_code' });
    const record = await adminQuery(
      h.db,
      'SELECT device_token FROM authentication_records WHERE authentication_id = $1',
      [a.body.id],
    );
    expect(record[0]).toEqual({ device_token: device.body.deviceToken });
  });

  it('app_notification: the device approves or denies; R18: a deactivated device gets account_not_activated', async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    const device = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({});
    const a = await start({ userId: u.id, method: 'app_notification' });
    const answer = (approve: boolean) => ({
      approve,
      deviceToken: device.body.deviceToken,
      deviceSecret: device.body.deviceSecret,
    });
    expect((await verify(a.body.id, answer(true))).body.status).toBe('approved');
    const b = await start({ userId: u.id, method: 'app_notification' });
    expect((await verify(b.body.id, answer(false))).body).toMatchObject({
      status: 'denied',
      reason: 'denied_by_user',
    });

    const c = await start({ userId: u.id, method: 'app_notification' });
    await h.http().delete(`/v1/users/${u.id}/devices/${device.body.id}`).set(bearer(t.apiKey)).expect(204);
    expect((await verify(c.body.id, answer(true))).body).toMatchObject({
      status: 'denied',
      reason: 'account_not_activated',
    });
  });

  it('issue 15 item 10: the push token alone neither approves nor denies; the device secret does, sealed and in no record', async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    const device = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({});
    const other = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(t.apiKey)).send({});
    const { deviceToken, deviceSecret } = device.body as { deviceToken: string; deviceSecret: string };
    const a = await start({ userId: u.id, method: 'app_notification' });
    const refused = { status: 'denied', reason: 'invalid_code', final: false };
    // The token is an address (records and reports show it): knowing it approves or denies nothing.
    expect((await verify(a.body.id, { approve: true, deviceToken })).body).toMatchObject(refused);
    expect((await verify(a.body.id, { approve: false, deviceToken })).body).toMatchObject(refused);
    expect((await verify(a.body.id, { approve: true, deviceToken, deviceSecret: 'tfs_guess' })).body).toMatchObject(
      refused,
    );
    // Another device's secret does not answer for this one.
    expect(
      (await verify(a.body.id, { approve: true, deviceToken, deviceSecret: other.body.deviceSecret })).body,
    ).toMatchObject(refused);
    expect((await verify(a.body.id, { approve: true, deviceToken, deviceSecret })).body).toMatchObject({
      status: 'approved',
    });

    // Sealed at rest (AES-256-GCM, bound to its row), recorded nowhere in clear: not in the record
    // that reports and exports read, not in the audit log, in no row of any table.
    const [row] = await adminQuery<{ key_id: string; secret_ciphertext: Buffer }>(
      h.db,
      'SELECT key_id, secret_ciphertext FROM device_activations WHERE tenant_id = $1 AND id = $2',
      [t.id, device.body.id],
    );
    expect(
      h.app
        .get(SecretBox)
        .open(row?.key_id as string, row?.secret_ciphertext as Buffer, deviceSecretAad(t.id, u.id, device.body.id))
        .toString('utf8'),
    ).toBe(deviceSecret);
    const [record] = await adminQuery<{ device_token: string }>(
      h.db,
      'SELECT device_token FROM authentication_records WHERE authentication_id = $1',
      [a.body.id],
    );
    expect(record?.device_token).toBe(deviceToken);
    const tables = await adminQuery<{ name: string }>(
      h.db,
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { name } of tables) {
      const hits = await adminQuery<{ n: number }>(
        h.db,
        `SELECT count(*)::int AS n FROM ${name} x WHERE strpos(x::text, $1) > 0 OR strpos(x::text, $2) > 0`,
        [deviceSecret, Buffer.from(deviceSecret).toString('hex')],
      );
      expect({ table: name, rows: hits[0]?.n }).toEqual({ table: name, rows: 0 });
    }

    // An activation from before device secrets cannot answer notifications: re-activate (R18).
    await adminQuery(h.db, 'UPDATE device_activations SET secret_ciphertext = NULL WHERE tenant_id = $1 AND id = $2', [
      t.id,
      device.body.id,
    ]);
    const b = await start({ userId: u.id, method: 'app_notification' });
    expect((await verify(b.body.id, { approve: true, deviceToken, deviceSecret })).body).toMatchObject(refused);
  });

  it('R17: a non-browser sign-in with the normal password is denied app_password_required; an app password works', async () => {
    await h.http().patch(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).send({ appPasswordsAllowed: true }).expect(200);
    const u = await createUser(h, t, { mfaEnabled: true });
    const refused = await start({ userId: u.id, method: 'app_password', primaryPassword: true });
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({ status: 'denied', reason: 'app_password_required' });
    const pw = await h
      .http()
      .post(`/v1/users/${u.id}/app-passwords`)
      .set(bearer(t.apiKey))
      .send({ name: 'Outlook 2013' });
    const a = await start({ userId: u.id, method: 'app_password' });
    expect((await verify(a.body.id, { code: pw.body.password })).body.status).toBe('approved');
  });

  it('R9: a free-tier tenant is refused SMS and voice', async () => {
    const free = await createTenant(h, 'Freebie');
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(free.apiKey))
      .send({ name: 'P', billingModel: 'per_user' })
      .expect(201);
    const u = await createUser(h, free, { phoneNumber: '+14255550100', mfaEnabled: true });
    await adminQuery(h.db, `UPDATE tenants SET tier = 'free' WHERE id = $1`, [free.id]);
    expectError(await start({ userId: u.id, method: 'sms' }, free.apiKey), 409, 'free_tier_method_not_allowed');
    expectError(await start({ userId: u.id, method: 'voice' }, free.apiKey), 409, 'free_tier_method_not_allowed');
  });

  it('R26: a provider that keeps no e-mail or client IP stores none', async () => {
    const other = await createTenant(h, 'Private');
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(other.apiKey))
      .send({ name: 'P', billingModel: 'per_user', recordFields: { email: false, clientIp: false } })
      .expect(201);
    const u = await smsUser(other, { email: 'someone@private.example', firstName: 'Some' });
    const res = await start({ userId: u.id, method: 'sms', clientIp: '198.51.100.1' }, other.apiKey);
    await verify(res.body.id, { code: await codeOf(res.body.id) }, other.apiKey);
    const rows = await adminQuery(
      h.db,
      'SELECT email, client_ip, first_name FROM authentication_records WHERE authentication_id = $1',
      [res.body.id],
    );
    expect(rows).toEqual([{ email: null, client_ip: null, first_name: 'Some' }]);
  });

  it('R12: an MFA server’s authentication lives for its pendingSmsTimeoutSeconds and verifies only through that server', async () => {
    const cred = await h
      .http()
      .post(`/v1/providers/${providerId}/activation-credentials`)
      .set(bearer(t.apiKey))
      .send({});
    const server = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: cred.body.credential, name: 'mfa-01' });
    const cred2 = await h
      .http()
      .post(`/v1/providers/${providerId}/activation-credentials`)
      .set(bearer(t.apiKey))
      .send({});
    const other = await h
      .http()
      .post('/v1/mfa-servers/activate')
      .send({ activationCredential: cred2.body.credential, name: 'mfa-02', pendingSmsTimeoutSeconds: 60 });
    const u = await smsUser();

    const before = Date.now();
    const res = await start({ userName: u.userName, method: 'sms' }, server.body.serverCredential);
    expect(res.status).toBe(201);
    const ttl = new Date(res.body.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(295_000);
    expect(ttl).toBeLessThanOrEqual(301_000);
    const code = await codeOf(res.body.id);
    expect((await verify(res.body.id, { code }, other.body.serverCredential)).body).toMatchObject({
      status: 'denied',
      reason: 'wrong_server',
    });
    expect((await verify(res.body.id, { code }, server.body.serverCredential)).body).toMatchObject({
      status: 'denied',
      reason: 'wrong_server',
    });
    const rec = await adminQuery(
      h.db,
      'SELECT server_name, deny_reason FROM authentication_records WHERE authentication_id = $1',
      [res.body.id],
    );
    expect(rec).toEqual([{ server_name: 'mfa-01', deny_reason: 'wrong_server' }]);

    const fine = await start({ userName: u.userName, method: 'sms' }, other.body.serverCredential);
    expect(new Date(fine.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(61_000);
    expect(
      (await verify(fine.body.id, { code: await codeOf(fine.body.id) }, other.body.serverCredential)).body.status,
    ).toBe('approved');
    expect((await verify(fine.body.id, { code: '123456' })).body.status).toBe('approved');
  });

  it('bad input and unknown objects: 4xx with the error format', async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    expectError(await start({ userId: u.id, method: 'carrier_pigeon' }), 400, 'validation_failed');
    expectError(await start({ method: 'sms' }), 400, 'validation_failed');
    expectError(await start({ userId: '00000000-0000-4000-8000-000000000000', method: 'sms' }), 404, 'user_not_found');
    expectError(await start({ userId: u.id, method: 'sms' }), 409, 'method_not_registered');
    expectError(await start({ userId: u.id }), 409, 'no_default_method');
    expectError(
      await verify('00000000-0000-4000-8000-000000000000', { code: '123456' }),
      404,
      'authentication_not_found',
    );
    expectError(await h.http().get('/v1/authentications/nope').set(bearer(t.apiKey)), 404, 'authentication_not_found');
  });
});

import { adminQuery } from '@twofold/platform/testing';
import {
  bearer,
  createTenant,
  createUser,
  expectError,
  Harness,
  startAuthProvider,
  TenantFixture,
  UserFixture,
} from './harness';

const ALL_FIELDS = {
  firstName: true,
  lastName: true,
  email: true,
  phoneNumber: true,
  deviceToken: true,
  serverName: true,
  serverIp: true,
  clientIp: true,
};

/**
 * Issue 16 item 2 (docs/decisions/0025): `POST /v1/users/{id}/erase` pseudonymises a person's data in
 * records, audit snapshots and the message log; counts and billing stay exact; the erasure is audited
 * without the values; a repeat changes nothing; a user deleted earlier can still be erased.
 */
describe('erasure of a person', () => {
  let h: Harness;
  let t: TenantFixture;
  let seq = 0;
  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h, 'Erasures');
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(t.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication', recordFields: ALL_FIELDS })
      .expect(201);
  });
  afterAll(() => h.close());

  const sql = <T extends object>(text: string, params: unknown[] = []) => adminQuery<T>(h.db, text, params);

  /** A person with every personal field, an SMS authentication (a message and, once denied, a record) and an app record. */
  const person = async () => {
    seq += 1;
    const phone = `+1425555${String(1000 + seq)}`;
    const p = {
      userName: `erin${seq}@erase.example`,
      email: `erin.private${seq}@mail.example`,
      firstName: `Erinna${seq}`,
      lastName: `Quist${seq}`,
      phone,
      deviceToken: `device-token-of-erin-${seq}`,
      clientIp: `203.0.113.${seq}`,
    };
    const u = await createUser(h, t, { userName: p.userName, email: p.email, phoneNumber: phone, mfaEnabled: true });
    await h
      .http()
      .patch(`/v1/users/${u.id}`)
      .set(bearer(t.apiKey))
      .send({ firstName: p.firstName, lastName: p.lastName })
      .expect(200);
    await h
      .http()
      .post(`/v1/users/${u.id}/methods`)
      .set(bearer(t.apiKey))
      .send({ method: 'sms', phoneNumber: phone })
      .expect(201);
    await h
      .http()
      .post('/v1/authentications')
      .set(bearer(t.apiKey))
      .set('x-forwarded-for', p.clientIp)
      .send({ userId: u.id, method: 'sms', clientIp: p.clientIp })
      .expect(201);
    // A record with every optional field kept (R26), as an app notification writes it.
    await sql(
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id, user_id,
         first_name, last_name, email, phone, device_token, client_ip, method, result, data_region, correlation_id)
       SELECT $1, gen_random_uuid(), now() - interval '3 days', gen_random_uuid(), id, $3, $2, $4, $5, $6, $7, $8, $9,
              'app_notification', 'success', 'us', 'seed' FROM providers WHERE tenant_id = $1 LIMIT 1`,
      [t.id, u.id, p.userName, p.firstName, p.lastName, p.email, phone, p.deviceToken, p.clientIp],
    );
    return { ...u, ...p };
  };

  /** Everything the tenant keeps, as text: records, audit entries, messages. */
  const dump = async () =>
    JSON.stringify([
      await sql('SELECT * FROM authentication_records WHERE tenant_id = $1', [t.id]),
      await sql('SELECT * FROM audit_log WHERE tenant_id = $1', [t.id]),
      await sql('SELECT * FROM messages WHERE tenant_id = $1', [t.id]),
      await sql('SELECT * FROM authentications WHERE tenant_id = $1', [t.id]),
    ]);
  const personalValues = (p: Awaited<ReturnType<typeof person>>) => [
    p.userName,
    p.email,
    p.firstName,
    p.lastName,
    p.phone,
    p.deviceToken,
    p.clientIp,
  ];
  const counts = async (u: UserFixture) =>
    (
      await sql<{ records: number; results: string; users: number; usage: number }>(
        `SELECT (SELECT count(*)::int FROM authentication_records WHERE tenant_id = $1 AND user_id = $2) AS records,
                (SELECT string_agg(result::text || coalesce(deny_reason, ''), ',' ORDER BY occurred_at)
                   FROM authentication_records WHERE tenant_id = $1 AND user_id = $2) AS results,
                (SELECT count(DISTINCT unique_id)::int FROM authentication_records WHERE tenant_id = $1) AS users,
                (SELECT count(*)::int FROM usage_ledger WHERE tenant_id = $1) AS usage`,
        [t.id, u.id],
      )
    )[0];
  const erase = (id: string, tenant = t) => h.http().post(`/v1/users/${id}/erase`).set(bearer(tenant.apiKey));

  it('erases an existing user: deleted, and no personal value is left; counts and billing stay exact', async () => {
    const p = await person();
    const other = await person();
    const before = await dump();
    for (const v of personalValues(p)) expect(before).toContain(v);
    const countsBefore = await counts(p);

    const res = await erase(p.id).expect(200);
    expect(res.body).toMatchObject({ userId: p.id, userDeleted: true, auditEntries: expect.any(Number) });
    expect(res.body.records).toBeGreaterThanOrEqual(2); // the seeded one and the SMS one ended by the deletion
    expect(res.body.messages).toBe(1);
    await h.http().get(`/v1/users/${p.id}`).set(bearer(t.apiKey)).expect(404);

    const after = await dump();
    for (const v of personalValues(p)) expect(after).not.toContain(v);
    // Someone else's data is untouched.
    for (const v of personalValues(other)) expect(after).toContain(v);
    const countsAfter = await counts(p);
    // Same number of records with the same results (plus the deletion's own record of the pending SMS
    // authentication), the same number of distinct people, and the same usage rows.
    expect(countsAfter?.records).toBe(res.body.records);
    expect(countsAfter?.users).toBe(countsBefore?.users);
    expect(countsAfter?.usage).toBe(countsBefore?.usage);
    expect(countsAfter?.results).toContain('success');
    const records = await sql<{ unique_id: string; email: string; client_ip: string }>(
      'SELECT unique_id, email, client_ip FROM authentication_records WHERE tenant_id = $1 AND user_id = $2',
      [t.id, p.id],
    );
    expect(new Set(records.map((r) => r.unique_id))).toEqual(new Set([`erased:${p.id}`]));
    const messages = await sql<{ to_phone: string; country: string; code: boolean }>(
      'SELECT to_phone, country, code_ciphertext IS NOT NULL AS code FROM messages WHERE tenant_id = $1 AND user_id = $2',
      [t.id, p.id],
    );
    // The number is gone, and so is a sealed code a job in flight could still have sent to it.
    expect(messages).toEqual([{ to_phone: '[erased]', country: 'US', code: false }]);

    // Audited, with counts and no erased value.
    const log = await h.http().get('/v1/audit-log').query({ action: 'user.erase' }).set(bearer(t.apiKey));
    expect(log.body.items).toEqual([
      expect.objectContaining({
        targetId: p.id,
        details: {
          userDeleted: true,
          records: res.body.records,
          auditEntries: res.body.auditEntries,
          messages: 1,
        },
      }),
    ]);

    // A repeat is idempotent: nothing changes, no second entry.
    const again = await erase(p.id).expect(200);
    expect(again.body).toEqual({ userId: p.id, userDeleted: false, records: 0, auditEntries: 0, messages: 0 });
    expect(await dump()).toBe(after);
  });

  it('a user deleted earlier (DELETE) can still be erased: records and the delete’s snapshot lose the values', async () => {
    const p = await person();
    await h.http().delete(`/v1/users/${p.id}`).set(bearer(t.apiKey)).expect(204);
    const deleted = await h
      .http()
      .get('/v1/audit-log')
      .query({ action: 'user.delete', targetId: p.id })
      .set(bearer(t.apiKey));
    expect(JSON.stringify(deleted.body)).toContain(p.userName);

    const res = await erase(p.id).expect(200);
    expect(res.body).toMatchObject({ userDeleted: false, messages: 1 });
    expect(res.body.records).toBeGreaterThanOrEqual(2);
    expect(res.body.auditEntries).toBeGreaterThanOrEqual(3); // create, update, delete (and the method's)
    const after = await dump();
    for (const v of personalValues(p)) expect(after).not.toContain(v);
  });

  it('an id the tenant never had answers 404, as does another tenant’s user', async () => {
    expectError(await erase('00000000-0000-4000-8000-000000000000'), 404, 'user_not_found');
    const b = await createTenant(h, 'Someone else');
    const theirs = await createUser(h, b, { email: 'kept@b.example' });
    expectError(await erase(theirs.id), 404, 'user_not_found');
    const still = await h.http().get(`/v1/users/${theirs.id}`).set(bearer(b.apiKey)).expect(200);
    expect(still.body.email).toBe('kept@b.example');
  });

  it('a loop of erasures is refused past 60 a minute per tenant (429 erasure_rate_limited), other tenants unaffected', async () => {
    const loud = await createTenant(h, 'Loop');
    const quiet = await createTenant(h, 'Quiet');
    const nobody = () => `00000000-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    // Every request counts, found or not: the limiter answers before any transaction opens.
    for (let i = 0; i < 60; i += 1) expectError(await erase(nobody(), loud), 404, 'user_not_found');
    const refused = await erase(nobody(), loud);
    expectError(refused, 429, 'erasure_rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expectError(await erase(nobody(), quiet), 404, 'user_not_found');
  });
});

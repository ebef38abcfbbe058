import { adminQuery } from '@twofold/platform/testing';
import { bearer, createTenant, createUser, expectError, Harness, startAuthProvider, TenantFixture } from './harness';

describe('users', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  it('creates a user with the phone number normalised to E.164 (R22)', async () => {
    const res = await h.http().post('/v1/users').set(bearer(t.apiKey)).send({
      userName: 'Alice@Contoso.com',
      phoneNumber: '+1 (425) 555-0100',
      email: 'alice@contoso.com',
      firstName: 'Alice',
      mfaEnabled: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userName: 'alice@contoso.com',
      phoneNumber: '+14255550100',
      mfaEnabled: true,
      licensed: false,
      firstName: 'Alice',
    });
    const got = await h.http().get(`/v1/users/${res.body.id}`).set(bearer(t.apiKey));
    expect(got.body).toEqual(res.body);
  });

  it('refuses an invalid phone number naming the field, and writes nothing', async () => {
    const res = await h
      .http()
      .post('/v1/users')
      .set(bearer(t.apiKey))
      .send({ userName: 'bad-phone@contoso.com', phoneNumber: '+1 555' });
    expectError(res, 400, 'validation_failed');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'phoneNumber' })]);
    const rows = await adminQuery(h.db, `SELECT 1 FROM users WHERE user_name = 'bad-phone@contoso.com'`);
    expect(rows).toHaveLength(0);
  });

  it('user names are unique per tenant, compared without case', async () => {
    await createUser(h, t, { userName: 'bob@contoso.com' });
    expectError(
      await h.http().post('/v1/users').set(bearer(t.apiKey)).send({ userName: 'BOB@contoso.com' }),
      409,
      'user_name_taken',
    );
    const other = await createTenant(h, 'Fabrikam');
    expect(
      (await h.http().post('/v1/users').set(bearer(other.apiKey)).send({ userName: 'bob@contoso.com' })).status,
    ).toBe(201);
  });

  it('R3: every MFA enable/disable is recorded with its time, including creation and deletion', async () => {
    const u = await createUser(h, t, { mfaEnabled: true });
    await h.http().patch(`/v1/users/${u.id}`).set(bearer(t.apiKey)).send({ mfaEnabled: false }).expect(200);
    await h
      .http()
      .patch(`/v1/users/${u.id}`)
      .set(bearer(t.apiKey))
      .send({ mfaEnabled: false, firstName: 'Same' })
      .expect(200);
    await h.http().patch(`/v1/users/${u.id}`).set(bearer(t.apiKey)).send({ mfaEnabled: true }).expect(200);
    await h.http().delete(`/v1/users/${u.id}`).set(bearer(t.apiKey)).expect(204);
    const history = await adminQuery<{ enabled: boolean; changed_at: Date }>(
      h.db,
      'SELECT enabled, changed_at FROM user_mfa_state_changes WHERE user_id = $1 ORDER BY changed_at',
      [u.id],
    );
    expect(history.map((r) => r.enabled)).toEqual([true, false, true, false]);
    const times = history.map((r) => r.changed_at.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expectError(await h.http().get(`/v1/users/${u.id}`).set(bearer(t.apiKey)), 404, 'user_not_found');
  });

  it('R26: deleting a user ends each pending authentication with a record (deny user_deleted) first', async () => {
    const c = await createTenant(h, 'Deletions');
    await h
      .http()
      .post('/v1/providers')
      .set(bearer(c.apiKey))
      .send({ name: 'Per auth', billingModel: 'per_authentication' })
      .expect(201);
    const u = await createUser(h, c, { mfaEnabled: true });
    const device = await h.http().post(`/v1/users/${u.id}/devices`).set(bearer(c.apiKey)).send({}).expect(201);
    const start = () =>
      h.http().post('/v1/authentications').set(bearer(c.apiKey)).send({ userId: u.id, method: 'app_notification' });
    const pending = [(await start()).body.id as string, (await start()).body.id as string];
    const answered = (await start()).body.id as string;
    await h
      .http()
      .post(`/v1/authentications/${answered}/verify`)
      .set(bearer(c.apiKey))
      .send({ approve: false, deviceToken: device.body.deviceToken, deviceSecret: device.body.deviceSecret })
      .expect(200);
    const closedBefore = await adminQuery<{ n: number }>(
      h.db,
      'SELECT count(*)::int AS n FROM authentication_records WHERE authentication_id = $1',
      [answered],
    );

    await h.http().delete(`/v1/users/${u.id}`).set(bearer(c.apiKey)).expect(204);

    const records = await adminQuery<{ authentication_id: string; result: string; deny_reason: string }>(
      h.db,
      `SELECT authentication_id, result, deny_reason FROM authentication_records
        WHERE tenant_id = $1 AND user_id = $2 ORDER BY occurred_at`,
      [c.id, u.id],
    );
    // Each authentication has exactly one record: the pending ones end with user_deleted, the
    // closed one keeps the record it had.
    expect(records.filter((r) => r.authentication_id === answered)).toHaveLength(closedBefore[0]?.n ?? 0);
    for (const id of pending) {
      expect(records.filter((r) => r.authentication_id === id)).toEqual([
        { authentication_id: id, result: 'deny', deny_reason: 'user_deleted' },
      ]);
    }
    const left = await adminQuery(h.db, 'SELECT 1 FROM authentications WHERE tenant_id = $1 AND user_id = $2', [
      c.id,
      u.id,
    ]);
    expect(left).toHaveLength(0);
    const log = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(c.apiKey));
    const entry = log.body.items.find((e: { action: string; targetId: string }) => e.action === 'user.delete');
    expect(entry).toMatchObject({ targetId: u.id, details: { closedAuthentications: 2 } });
  });

  it('updates fields and audits before and after', async () => {
    const u = await createUser(h, t, { phoneNumber: '+14255550101' });
    const res = await h
      .http()
      .patch(`/v1/users/${u.id}`)
      .set(bearer(t.apiKey))
      .set('x-correlation-id', 'corr-user-update-1')
      .send({ lastName: 'Smith', phoneNumber: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lastName: 'Smith', phoneNumber: null });
    const log = await h.http().get('/v1/audit-log').query({ limit: 200 }).set(bearer(t.apiKey));
    const entry = log.body.items.find((e: { correlationId: string }) => e.correlationId === 'corr-user-update-1');
    expect(entry).toMatchObject({ action: 'user.update', targetId: u.id });
    expect(entry.details.before).toMatchObject({ lastName: null, phoneNumber: '…0101' });
    expect(entry.details.after).toMatchObject({ lastName: 'Smith', phoneNumber: null });
  });

  it('lists with cursor pagination and filters', async () => {
    const other = await createTenant(h, 'Filters');
    const enabled = await createUser(h, other, { mfaEnabled: true });
    const disabled = await createUser(h, other, { mfaEnabled: false });
    const page = async (q: Record<string, string>) =>
      (await h.http().get('/v1/users').query(q).set(bearer(other.apiKey))).body.items.map((u: { id: string }) => u.id);
    expect(await page({ enabled: 'true' })).toEqual([enabled.id]);
    expect(await page({ enabled: 'false' })).toEqual([disabled.id]);
    expect(await page({ licensed: 'false' })).toEqual([enabled.id, disabled.id]);
    expect(await page({ licensed: 'true' })).toEqual([]);
    // R19: enabled with nothing registered → registration required.
    expect(await page({ registrationRequired: 'true' })).toEqual([enabled.id]);
    const first = await h.http().get('/v1/users').query({ limit: 1 }).set(bearer(other.apiKey));
    const second = await h
      .http()
      .get('/v1/users')
      .query({ limit: 1, cursor: first.body.nextCursor })
      .set(bearer(other.apiKey));
    expect([first.body.items[0].id, second.body.items[0].id]).toEqual([enabled.id, disabled.id]);
    expect(second.body.nextCursor).toBeNull();
    expectError(
      await h.http().get('/v1/users').query({ enabled: 'maybe' }).set(bearer(other.apiKey)),
      400,
      'validation_failed',
    );
  });

  describe('bulk', () => {
    it('creates the good rows and reports each bad row with its line and reason', async () => {
      const bulkTenant = await createTenant(h, 'Bulk');
      await createUser(h, bulkTenant, { userName: 'exists@contoso.com' });
      const res = await h
        .http()
        .post('/v1/users/bulk')
        .set(bearer(bulkTenant.apiKey))
        .send({
          users: [
            { userName: 'one@contoso.com', phoneNumber: '+14255550102', mfaEnabled: true },
            { userName: 'two@contoso.com', phoneNumber: 'not a phone' },
            { userName: 'ONE@contoso.com' },
            { userName: 'exists@contoso.com' },
            { userName: 42 },
            'junk',
            { userName: 'three@contoso.com', plan: 'gold' },
            { userName: 'four@contoso.com', email: 'four@contoso.com' },
          ],
        });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ created: 2, rejected: 6 });
      const byLine = Object.fromEntries(res.body.results.map((r: { line: number }) => [r.line, r]));
      expect(byLine[1]).toMatchObject({ status: 'created', userName: 'one@contoso.com', id: expect.any(String) });
      expect(byLine[2]).toMatchObject({
        status: 'rejected',
        errors: [expect.objectContaining({ field: 'phoneNumber' })],
      });
      expect(byLine[3]).toMatchObject({
        status: 'rejected',
        errors: [expect.objectContaining({ code: 'duplicate_in_request' })],
      });
      expect(byLine[4]).toMatchObject({
        status: 'rejected',
        errors: [expect.objectContaining({ code: 'user_name_taken' })],
      });
      expect(byLine[5]).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ field: 'userName' })] });
      expect(byLine[6]).toMatchObject({ status: 'rejected' });
      expect(byLine[7]).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ field: 'plan' })] });
      expect(byLine[8]).toMatchObject({ status: 'created' });
      const rows = await adminQuery(h.db, 'SELECT user_name FROM users WHERE tenant_id = $1 ORDER BY user_name', [
        bulkTenant.id,
      ]);
      expect(rows.map((r) => r.user_name)).toEqual(['exists@contoso.com', 'four@contoso.com', 'one@contoso.com']);
      // R3 history for bulk-created enabled users too.
      const history = await adminQuery(h.db, 'SELECT enabled FROM user_mfa_state_changes WHERE user_id = $1', [
        byLine[1].id,
      ]);
      expect(history).toEqual([{ enabled: true }]);
    });

    it('takes 10,000 rows in one call and refuses 10,001', async () => {
      const big = await createTenant(h, 'Big');
      const users = Array.from({ length: 10_000 }, (_, i) => ({
        userName: `u${i}@big.example`,
        phoneNumber: `+1425555${String(i % 10000).padStart(4, '0')}`,
      }));
      const res = await h.http().post('/v1/users/bulk').set(bearer(big.apiKey)).send({ users });
      expect(res.status).toBe(200);
      expect(res.body.created).toBe(10_000);
      const count = await adminQuery<{ n: number }>(h.db, 'SELECT count(*)::int AS n FROM users WHERE tenant_id = $1', [
        big.id,
      ]);
      expect(count[0]?.n).toBe(10_000);
      const tooMany = await h
        .http()
        .post('/v1/users/bulk')
        .set(bearer(big.apiKey))
        .send({ users: [...users, { userName: 'x@big.example' }] });
      expectError(tooMany, 400, 'validation_failed');
    }, 60_000);
  });
});

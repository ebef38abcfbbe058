import { adminQuery } from '@twofold/platform/testing';
import {
  bearer,
  createPool,
  createTenant,
  createUser,
  expectError,
  Harness,
  OPERATOR_KEY,
  startAuthProvider,
  TenantFixture,
} from './harness';

const YEAR = { termStart: '2026-01-01T00:00:00Z', termEnd: '2099-01-01T00:00:00Z' };

describe('licenses (R4–R7)', () => {
  let h: Harness;
  let t: TenantFixture;

  beforeAll(async () => {
    h = await startAuthProvider();
    t = await createTenant(h);
  });
  afterAll(() => h.close());

  const pool = (tenant: TenantFixture, seats: number, term = YEAR) => createPool(h, tenant, seats, term);
  const op = bearer(OPERATOR_KEY);

  it('R4: the operator records seats sold to a tenant; the tenant reads them', async () => {
    const res = await h
      .http()
      .post('/v1/license-pools')
      .set(op)
      .send({ tenantId: t.id, seats: 3, name: 'FY27', ...YEAR });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ seats: 3, assigned: 0, free: 3, inForce: true, name: 'FY27', purchaseId: null });
    const read = await h.http().get(`/v1/license-pools/${res.body.id}`).set(bearer(t.apiKey));
    expect(read.body).toMatchObject({ id: res.body.id, seats: 3 });
    const audit = await adminQuery<{ actor: string }>(
      h.db,
      `SELECT actor_type::text AS actor FROM audit_log WHERE tenant_id = $1 AND action = 'license_pool.create' AND target_id = $2`,
      [t.id, res.body.id],
    );
    expect(audit).toEqual([{ actor: 'operator' }]);
    expectError(
      await h
        .http()
        .post('/v1/license-pools')
        .set(op)
        .send({ tenantId: t.id, seats: 3, termStart: YEAR.termEnd, termEnd: YEAR.termStart }),
      400,
      'license_term_invalid',
    );
    expectError(
      await h
        .http()
        .post('/v1/license-pools')
        .set(op)
        .send({ tenantId: t.id, seats: -1, ...YEAR }),
      400,
      'validation_failed',
    );
    expectError(
      await h
        .http()
        .post('/v1/license-pools')
        .set(op)
        .send({ seats: 3, ...YEAR }),
      400,
      'validation_failed',
    );
    expectError(
      await h
        .http()
        .post('/v1/license-pools')
        .set(op)
        .send({ tenantId: '7f1c8a52-6b4e-4d43-9d1a-0c3a2b1e9f00', seats: 3, ...YEAR }),
      404,
      'tenant_not_found',
    );
  });

  it('R4 (issue 13 item 1): a tenant key cannot make seats, grow them, stretch their term or delete them', async () => {
    const before = await adminQuery<{ n: number }>(
      h.db,
      `SELECT count(*)::int AS n FROM license_pools WHERE tenant_id = $1`,
      [t.id],
    );
    expectError(
      await h
        .http()
        .post('/v1/license-pools')
        .set(bearer(t.apiKey))
        .send({ seats: 1_000_000, ...YEAR }),
      403,
      'operator_only',
    );
    // Even naming its own tenant does not help.
    expectError(
      await h
        .http()
        .post('/v1/license-pools')
        .set(bearer(t.apiKey))
        .send({ tenantId: t.id, seats: 10, ...YEAR }),
      403,
      'operator_only',
    );
    const p = await pool(t, 2);
    for (const patch of [
      { seats: 1_000_000 },
      { termEnd: '2199-01-01T00:00:00Z' },
      { termStart: '2020-01-01T00:00:00Z' },
    ])
      expectError(
        await h.http().patch(`/v1/license-pools/${p.id}`).set(bearer(t.apiKey)).send(patch),
        403,
        'operator_only',
      );
    expectError(await h.http().delete(`/v1/license-pools/${p.id}`).set(bearer(t.apiKey)), 403, 'operator_only');
    // The name is the tenant's.
    const renamed = await h.http().patch(`/v1/license-pools/${p.id}`).set(bearer(t.apiKey)).send({ name: 'Sales' });
    expect(renamed.body).toMatchObject({ name: 'Sales', seats: 2 });
    const after = await adminQuery<{ n: number }>(
      h.db,
      `SELECT count(*)::int AS n FROM license_pools WHERE tenant_id = $1`,
      [t.id],
    );
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + 1);
    // The operator changes seats and term of its pool (with the tenant named), never another tenant's.
    const other = await createTenant(h, 'Other');
    expectError(
      await h.http().patch(`/v1/license-pools/${p.id}`).set(op).send({ tenantId: other.id, seats: 5 }),
      404,
      'license_pool_not_found',
    );
    const grown = await h.http().patch(`/v1/license-pools/${p.id}`).set(op).send({ tenantId: t.id, seats: 5 });
    expect(grown.body).toMatchObject({ seats: 5 });
  });

  it('R4: a pool bought through Stripe follows its purchase: not even the operator changes its seats', async () => {
    const p = await pool(t, 4);
    await adminQuery(h.db, `UPDATE license_pools SET purchase_id = gen_random_uuid() WHERE id = $1`, [p.id]);
    expectError(
      await h.http().patch(`/v1/license-pools/${p.id}`).set(op).send({ tenantId: t.id, seats: 40 }),
      409,
      'license_pool_purchased',
    );
    expectError(
      await h.http().delete(`/v1/license-pools/${p.id}?tenantId=${t.id}`).set(op),
      409,
      'license_pool_purchased',
    );
  });

  it('R4: assigning more seats than bought is refused with no_free_seats', async () => {
    const p = await pool(t, 1);
    const [u1, u2] = [await createUser(h, t), await createUser(h, t)];
    const ok = await h
      .http()
      .post(`/v1/license-pools/${p.id}/assignments`)
      .set(bearer(t.apiKey))
      .send({ userId: u1.id });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ poolId: p.id, userId: u1.id });
    expectError(
      await h.http().post(`/v1/license-pools/${p.id}/assignments`).set(bearer(t.apiKey)).send({ userId: u2.id }),
      409,
      'no_free_seats',
    );
    const user = await h.http().get(`/v1/users/${u1.id}`).set(bearer(t.apiKey));
    expect(user.body.licensed).toBe(true);
  });

  it('R4: 50 parallel assignments against 10 free seats give exactly 10 successes', async () => {
    const p = await pool(t, 10);
    const users = await Promise.all(Array.from({ length: 50 }, () => createUser(h, t)));
    const results = await Promise.all(
      users.map((u) =>
        h.http().post(`/v1/license-pools/${p.id}/assignments`).set(bearer(t.apiKey)).send({ userId: u.id }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('no_free_seats');
    const rows = await adminQuery<{ n: number }>(
      h.db,
      'SELECT count(*)::int AS n FROM license_assignments WHERE pool_id = $1',
      [p.id],
    );
    expect(rows[0]?.n).toBe(10);
    const got = await h.http().get(`/v1/license-pools/${p.id}`).set(bearer(t.apiKey));
    expect(got.body).toMatchObject({ seats: 10, assigned: 10, free: 0 });
  });

  it('R4: the database refuses a seat past the count even when the app is bypassed', async () => {
    const p = await pool(t, 1);
    const [u1, u2] = [await createUser(h, t), await createUser(h, t)];
    const insert = (userId: string) =>
      adminQuery(
        h.db,
        'INSERT INTO license_assignments (tenant_id, id, pool_id, user_id) VALUES ($1, gen_random_uuid(), $2, $3)',
        [t.id, p.id, userId],
      );
    await insert(u1.id);
    await expect(insert(u2.id)).rejects.toThrow(/license_seats_exceeded/);
  });

  it('a user holds one license in force; unassign frees the seat; history is kept', async () => {
    const p = await pool(t, 5);
    const other = await pool(t, 5);
    const u = await createUser(h, t);
    await h
      .http()
      .post(`/v1/license-pools/${p.id}/assignments`)
      .set(bearer(t.apiKey))
      .send({ userId: u.id })
      .expect(201);
    expectError(
      await h.http().post(`/v1/license-pools/${p.id}/assignments`).set(bearer(t.apiKey)).send({ userId: u.id }),
      409,
      'user_already_licensed',
    );
    expectError(
      await h.http().post(`/v1/license-pools/${other.id}/assignments`).set(bearer(t.apiKey)).send({ userId: u.id }),
      409,
      'user_already_licensed',
    );
    await h.http().delete(`/v1/license-pools/${p.id}/assignments/${u.id}`).set(bearer(t.apiKey)).expect(204);
    expectError(
      await h.http().delete(`/v1/license-pools/${p.id}/assignments/${u.id}`).set(bearer(t.apiKey)),
      404,
      'license_assignment_not_found',
    );
    const history = await adminQuery<{ assigned: boolean }>(
      h.db,
      'SELECT assigned FROM license_assignment_changes WHERE user_id = $1 ORDER BY changed_at',
      [u.id],
    );
    expect(history.map((r) => r.assigned)).toEqual([true, false]);
  });

  it('an expired pool licenses nobody and takes no assignments', async () => {
    const p = await pool(t, 5, { termStart: '2020-01-01T00:00:00Z', termEnd: '2021-01-01T00:00:00Z' });
    const u = await createUser(h, t);
    expectError(
      await h.http().post(`/v1/license-pools/${p.id}/assignments`).set(bearer(t.apiKey)).send({ userId: u.id }),
      409,
      'license_pool_expired',
    );
  });

  it('unknown users and other tenants’ users are not found', async () => {
    const p = await pool(t, 5);
    const stranger = await createTenant(h, 'Stranger');
    const theirs = await createUser(h, stranger);
    expectError(
      await h.http().post(`/v1/license-pools/${p.id}/assignments`).set(bearer(t.apiKey)).send({ userId: theirs.id }),
      404,
      'user_not_found',
    );
    expectError(
      await h.http().post(`/v1/license-pools/${p.id}/assignments`).set(bearer(t.apiKey)).send({ userId: 'nope' }),
      400,
      'validation_failed',
    );
  });

  it('bulk assignment reports each user, stops at the seat count', async () => {
    const p = await pool(t, 2);
    const [a, b, c] = [await createUser(h, t), await createUser(h, t), await createUser(h, t)];
    const res = await h
      .http()
      .post(`/v1/license-pools/${p.id}/assignments/bulk`)
      .set(bearer(t.apiKey))
      .send({ userIds: [a.id, a.id, '00000000-0000-4000-8000-000000000000', b.id, c.id] });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'assigned',
      'duplicate_in_request',
      'user_not_found',
      'assigned',
      'no_free_seats',
    ]);
    expect(res.body).toMatchObject({ assigned: 2, rejected: 3 });
  });

  it('seats cannot drop below the assigned count; a pool in use cannot be deleted', async () => {
    const p = await pool(t, 2);
    const u = await createUser(h, t);
    await h
      .http()
      .post(`/v1/license-pools/${p.id}/assignments`)
      .set(bearer(t.apiKey))
      .send({ userId: u.id })
      .expect(201);
    expectError(
      await h.http().patch(`/v1/license-pools/${p.id}`).set(op).send({ tenantId: t.id, seats: 0 }),
      409,
      'seats_below_assigned',
    );
    expect(
      (await h.http().patch(`/v1/license-pools/${p.id}`).set(op).send({ tenantId: t.id, seats: 1 })).body,
    ).toMatchObject({ seats: 1, free: 0 });
    expectError(
      await h.http().delete(`/v1/license-pools/${p.id}?tenantId=${t.id}`).set(op),
      409,
      'license_pool_in_use',
    );
    await h.http().delete(`/v1/license-pools/${p.id}/assignments/${u.id}`).set(bearer(t.apiKey)).expect(204);
    await h.http().delete(`/v1/license-pools/${p.id}?tenantId=${t.id}`).set(op).expect(204);
  });

  it('lists who is MFA-enabled and unlicensed, and sums it up', async () => {
    const x = await createTenant(h, 'Summary');
    const p = await pool(x, 1);
    const licensed = await createUser(h, x, { mfaEnabled: true });
    const unlicensed = await createUser(h, x, { mfaEnabled: true });
    await createUser(h, x, { mfaEnabled: false });
    await h
      .http()
      .post(`/v1/license-pools/${p.id}/assignments`)
      .set(bearer(x.apiKey))
      .send({ userId: licensed.id })
      .expect(201);
    const list = await h.http().get('/v1/users').query({ enabled: 'true', licensed: 'false' }).set(bearer(x.apiKey));
    expect(list.body.items.map((u: { id: string }) => u.id)).toEqual([unlicensed.id]);
    const summary = await h.http().get('/v1/licenses/summary').set(bearer(x.apiKey));
    expect(summary.body).toEqual({ seatsInForce: 1, assignedInForce: 1, enabledUnlicensed: 1 });
  });
});

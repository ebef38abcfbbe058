import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Change, linkWindows, userFactsIn } from '@twofold/billing/domain';
import { DbService } from '@twofold/platform/db';
import { UserMonthService } from '../src/usage/user-month.service';
import { BillingHarness, bearer, createProvider, createTenant, startBilling, TenantFixture } from './harness';

const d = (iso: string) => new Date(iso);
const SEPTEMBER = [d('2026-09-01T00:00:00Z'), d('2026-10-01T00:00:00Z')] as const;
const ANNUAL = { termStart: d('2026-01-01T00:00:00Z'), termEnd: d('2027-01-01T00:00:00Z') };

/**
 * Issue 13 items 2 and 3 (docs/decisions/0018): a per_user month is billed on what was true during
 * it. Histories are written straight into the tables at chosen instants, as the database triggers
 * (and the authentication engine, for records) would write them; the fake clock then closes the month.
 */
describe('per_user months: link history and MFA-server users (R3, R4, R7)', () => {
  let h: BillingHarness;
  /** One owner connection for the scenario's many history rows. */
  let admin: Client;
  beforeAll(async () => {
    h = await startBilling();
    admin = new Client({ connectionString: h.db.adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await h.close();
  });
  const sql = async (text: string, params: unknown[]) => (await admin.query(text, params)).rows;

  const enable = (t: TenantFixture, userId: string, at: Date, enabled = true) =>
    sql(
      `INSERT INTO user_mfa_state_changes (tenant_id, id, user_id, enabled, changed_at) VALUES ($1, gen_random_uuid(), $2, $3, $4)`,
      [t.id, userId, enabled, at],
    );
  const pool = async (t: TenantFixture) => {
    const id = randomUUID();
    await sql(
      `INSERT INTO license_pools (tenant_id, id, name, seats, term_start, term_end, updated_at) VALUES ($1, $2, 'annual', 50, $3, $4, now())`,
      [t.id, id, ANNUAL.termStart, ANNUAL.termEnd],
    );
    return id;
  };
  const license = (t: TenantFixture, poolId: string, userId: string, at: Date, assigned = true) =>
    sql(
      `INSERT INTO license_assignment_changes (tenant_id, id, pool_id, user_id, assigned, changed_at) VALUES ($1, gen_random_uuid(), $2, $3, $4, $5)`,
      [t.id, poolId, userId, assigned, at],
    );
  /** A link change at `at`: the trigger writes its history row at the real time; it is moved to `at`. */
  const relink = async (t: TenantFixture, providerId: string, to: string | null, at: Date) => {
    await sql(`UPDATE providers SET linked_tenant_id = $3 WHERE tenant_id = $1 AND id = $2`, [t.id, providerId, to]);
    await sql(
      `UPDATE provider_link_changes SET changed_at = $3
        WHERE tenant_id = $1 AND provider_id = $2 AND changed_at > now() - interval '1 hour'`,
      [t.id, providerId, at],
    );
  };
  /** An authentication an MFA server (serverId) or the cloud (null) ran for the user, recorded at `at`. */
  const record = (t: TenantFixture, providerId: string, userId: string, serverId: string | null, at: Date) =>
    sql(
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id,
         user_id, server_id, method, result, data_region, correlation_id)
       VALUES ($1, gen_random_uuid(), $2, gen_random_uuid(), $3, $4::text, $4::uuid, $5::uuid, 'sms', 'success', 'us', 'test')`,
      [t.id, at, providerId, userId, serverId],
    );
  const count = (t: TenantFixture, providerId: string, from: Date, to: Date) =>
    h.worker.get(DbService).inTenant(t.id, async (scope) => {
      const [p] = await sql(
        `SELECT linked_tenant_id AS "linkedTenantId", created_at AS "createdAt", deleted_at AS "deletedAt" FROM providers WHERE id = $1`,
        [providerId],
      );
      const row = p as { linkedTenantId: string | null; createdAt: Date; deletedAt: Date | null };
      return h.worker.get(UserMonthService).countFor(scope, { id: providerId, ...row }, from, to);
    });
  const closeSeptember = async () => {
    h.setNow(d('2026-10-01T00:15:00Z'));
    await h.loop.pass();
    await h.loop.pass();
    h.setNow(undefined);
  };

  it('the link history is written by the database when a link changes', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_user', { createdAt: d('2026-08-01T00:00:00Z') });
    await h.sql(`UPDATE providers SET linked_tenant_id = NULL WHERE id = $1`, [p]);
    await h.sql(`UPDATE providers SET name = 'renamed' WHERE id = $1`, [p]);
    await h.sql(`UPDATE providers SET linked_tenant_id = $2 WHERE id = $1`, [p, t.id]);
    const rows = await h.sql<{ linked: string | null; at: Date }>(
      `SELECT linked_tenant_id AS linked, changed_at AS at FROM provider_link_changes WHERE provider_id = $1 ORDER BY changed_at`,
      [p],
    );
    expect(rows.map((r) => r.linked)).toEqual([t.id, null, t.id]);
    expect(rows[0]?.at).toEqual(d('2026-08-01T00:00:00Z')); // linked from its creation
  });

  it('item 3: unlinking just before the month closes (and relinking after) leaves the month billed', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_user', { createdAt: d('2026-08-01T00:00:00Z') });
    for (let i = 0; i < 3; i++) await enable(t, randomUUID(), d('2026-08-10T00:00:00Z'));
    await relink(t, p, null, d('2026-09-30T23:00:00Z'));
    await closeSeptember(); // the month closes while the provider is unlinked
    await relink(t, p, t.id, d('2026-10-01T01:00:00Z'));
    expect(h.stripe.meterEvents.get(`user_month:${p}:2026-09`)?.value).toBe(3);
    const usage = await h.http().get('/v1/billing/usage?period=2026-09').set(bearer(t.apiKey));
    expect(usage.body.providers[0]).toMatchObject({ providerId: p, billableUsers: 3 });
  });

  it('item 3: a month counts every tenant the provider was linked to in it, each over its own moments', async () => {
    const owner = await createTenant(h);
    const other = await createTenant(h);
    const p = await createProvider(h, owner, 'per_user', { createdAt: d('2026-08-01T00:00:00Z') });
    const ownerUser = randomUUID();
    const late = randomUUID();
    await enable(owner, ownerUser, d('2026-08-01T00:00:00Z'));
    await enable(owner, late, d('2026-09-20T00:00:00Z')); // enabled only after the provider left
    const [otherLicensed, otherUnlicensed] = [randomUUID(), randomUUID()];
    for (const u of [otherLicensed, otherUnlicensed]) await enable(other, u, d('2026-08-01T00:00:00Z'));
    await license(other, await pool(other), otherLicensed, d('2026-08-01T00:00:00Z')); // licensed all along
    await relink(owner, p, other.id, d('2026-09-10T00:00:00Z'));
    // Owner: ownerUser (1–10 September); other: its unlicensed user (10–30 September).
    expect(await count(owner, p, ...SEPTEMBER)).toEqual({ billable: 2, licensed: 1 });
    await closeSeptember();
    expect(h.stripe.meterEvents.get(`user_month:${p}:2026-09`)?.value).toBe(2);
  });

  it('item 2: an unlinked per_user provider bills the users its MFA servers served, licensed users exempt', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_user', { linked: false, createdAt: d('2026-08-01T00:00:00Z') });
    const server = randomUUID();
    const poolId = await pool(t);
    const [served, licensedAll, mixed, cloudOnly, august] = Array.from({ length: 5 }, () => randomUUID()) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await record(t, p, served, server, d('2026-09-03T10:00:00Z'));
    await record(t, p, served, server, d('2026-09-04T10:00:00Z'));
    await license(t, poolId, licensedAll, d('2026-08-01T00:00:00Z'));
    await record(t, p, licensedAll, server, d('2026-09-05T10:00:00Z'));
    await license(t, poolId, mixed, d('2026-09-10T00:00:00Z'));
    await record(t, p, mixed, server, d('2026-09-09T10:00:00Z')); // before its license: billed
    await record(t, p, mixed, server, d('2026-09-11T10:00:00Z'));
    await record(t, p, cloudOnly, null, d('2026-09-12T10:00:00Z')); // not a server's authentication
    await record(t, p, august, server, d('2026-08-31T23:59:59.999Z'));

    expect(await count(t, p, ...SEPTEMBER)).toEqual({ billable: 2, licensed: 1 });
    h.setNow(d('2026-09-25T00:00:00Z'));
    const usage = await h.http().get('/v1/billing/usage').set(bearer(t.apiKey));
    h.setNow(undefined);
    expect(usage.body.providers).toEqual([
      expect.objectContaining({ providerId: p, billingModel: 'per_user', billableUsers: 2, licensedUsers: 1 }),
    ]);
    await closeSeptember();
    expect(h.stripe.meterEvents.get(`user_month:${p}:2026-09`)?.value).toBe(2);
    expect(h.stripe.meterEvents.get(`user_month:${p}:2026-08`)?.value).toBe(1);
  });

  it('item 2: a user both enabled in the linked directory and served by a server counts once', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_user', { createdAt: d('2026-08-01T00:00:00Z') });
    const u = randomUUID();
    await enable(t, u, d('2026-08-01T00:00:00Z'));
    await record(t, p, u, randomUUID(), d('2026-09-03T10:00:00Z'));
    expect(await count(t, p, ...SEPTEMBER)).toEqual({ billable: 1, licensed: 0 });
  });

  /**
   * The month scenario: five events inside September (unlink, relink to the directory, link to a second
   * directory, a license for u1, enabling u2) in every one of their 120 orders, plus an unlink right
   * after the month. Each order bills exactly what the reference rule says for it, and the change after
   * the month never alters it.
   */
  it('items 2–3: every order of link, unlink, relink, license and enable events bills what the rule says', async () => {
    type Kind = 'unlink' | 'relink' | 'link_other' | 'license_u1' | 'enable_u2';
    const kinds: Kind[] = ['unlink', 'relink', 'link_other', 'license_u1', 'enable_u2'];
    const orders = permutations(kinds);
    const instants = [5, 10, 15, 20, 25].map((day) => d(`2026-09-${String(day).padStart(2, '0')}T12:00:00Z`));
    let checked = 0;
    const tenant = async (): Promise<TenantFixture> => {
      const id = randomUUID();
      await sql(
        `INSERT INTO tenants (id, name, data_region, tier, updated_at) VALUES ($1::uuid, $1::text, 'us', 'standard', now())`,
        [id],
      );
      return { id, apiKey: '' };
    };
    for (const order of orders) {
      const t = await tenant();
      const other = await tenant();
      const p = randomUUID();
      await sql(
        `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, created_at, updated_at)
         VALUES ($1, $2, 'p', 'per_user', $1, '2026-08-01T00:00:00Z', now())`,
        [t.id, p],
      );
      const server = randomUUID();
      const [u0, u1, u2, v] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const poolId = await pool(t);
      const mfa = new Map<string, Change[]>([
        [u0, [{ at: d('2026-08-01T00:00:00Z'), on: true }]],
        [u1, [{ at: d('2026-08-01T00:00:00Z'), on: true }]],
        [u2, []],
      ]);
      const lic: Change[] = [];
      const links = [{ linkedTenantId: t.id as string | null, changedAt: d('2026-08-01T00:00:00Z') }];
      await enable(t, u0, d('2026-08-01T00:00:00Z'));
      await enable(t, u1, d('2026-08-01T00:00:00Z'));
      await enable(other, v, d('2026-08-01T00:00:00Z'));
      // u0 is also served by an MFA server of the provider on the 28th.
      await record(t, p, u0, server, d('2026-09-28T08:00:00Z'));
      for (const [i, kind] of order.entries()) {
        const at = instants[i] as Date;
        if (kind === 'unlink' || kind === 'relink' || kind === 'link_other') {
          const to = kind === 'unlink' ? null : kind === 'relink' ? t.id : other.id;
          await relink(t, p, to, at);
          links.push({ linkedTenantId: to, changedAt: at });
        } else if (kind === 'license_u1') {
          await license(t, poolId, u1, at);
          lic.push({ at, on: true });
        } else {
          await enable(t, u2, at);
          mfa.get(u2)?.push({ at, on: true });
        }
      }
      await relink(t, p, null, d('2026-10-01T00:00:01Z')); // after the month: changes nothing in it

      const windows = linkWindows(links, ...SEPTEMBER);
      const facts = [
        ...[u0, u1, u2].map((u) =>
          userFactsIn(
            mfa.get(u) ?? [],
            u === u1 ? [{ changes: lic, ...ANNUAL }] : [],
            windows.get(t.id) ?? [],
            u === u0 ? [d('2026-09-28T08:00:00Z')] : [],
          ),
        ),
        userFactsIn([{ at: d('2026-08-01T00:00:00Z'), on: true }], [], windows.get(other.id) ?? [], []),
      ];
      const expected = {
        billable: facts.filter((f) => f.billable).length,
        licensed: facts.filter((f) => f.licensed).length,
      };
      expect({ order, counts: await count(t, p, ...SEPTEMBER) }).toEqual({ order, counts: expected });
      // u0 is billed in every order: enabled while linked before the 5th, and served on the 28th.
      expect(expected.billable).toBeGreaterThanOrEqual(1);
      checked += 1;
    }
    expect(checked).toBe(120);
  }, 120_000);
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

import { randomUUID } from 'node:crypto';
import { Change, userMonthFacts } from '@twofold/billing/domain';
import { BillingHarness, bearer, createProvider, createTenant, startBilling, TenantFixture } from './harness';

const d = (iso: string) => new Date(iso);

interface UserStory {
  name: string;
  mfa: [string, boolean][];
  licenses?: { pool: 'annual' | 'expiring'; changes: [string, boolean][] }[];
}

/**
 * R3, R4 scenario: a whole month of enable/disable and license changes at chosen instants, written
 * straight into the history tables (as the triggers would), then the month is closed with a fake clock
 * and the user-month reaches the fake Stripe with the exact count.
 * Rule (docs/decisions/0013-billing.md): billed when enabled and unlicensed at some moment of the month.
 */
const STORIES: UserStory[] = [
  { name: 'u1 enabled all month, no license → billed', mfa: [['2026-08-10T00:00:00Z', true]] },
  {
    name: 'u2 enabled all month, licensed all month → licensed',
    mfa: [['2026-08-10T00:00:00Z', true]],
    licenses: [{ pool: 'annual', changes: [['2026-08-01T00:00:00Z', true]] }],
  },
  {
    name: 'u3 enabled for one day mid-month → billed',
    mfa: [
      ['2026-09-05T00:00:00Z', true],
      ['2026-09-06T00:00:00Z', false],
    ],
  },
  {
    name: 'u4 licensed only from the 15th → billed (unlicensed on the 1st–15th)',
    mfa: [['2026-08-01T00:00:00Z', true]],
    licenses: [{ pool: 'annual', changes: [['2026-09-15T00:00:00Z', true]] }],
  },
  {
    name: 'u5 license removed on the 20th → billed in September, licensed in August',
    mfa: [['2026-08-01T00:00:00Z', true]],
    licenses: [
      {
        pool: 'annual',
        changes: [
          ['2026-08-01T00:00:00Z', true],
          ['2026-09-20T00:00:00Z', false],
        ],
      },
    ],
  },
  {
    name: 'u6 disabled on 31 August → August only',
    mfa: [
      ['2026-08-01T00:00:00Z', true],
      ['2026-08-31T00:00:00Z', false],
    ],
  },
  { name: 'u7 enabled in October → neither month', mfa: [['2026-10-01T00:00:00Z', true]] },
  {
    name: 'u8 license pool term ends on the 15th → billed in September',
    mfa: [['2026-08-01T00:00:00Z', true]],
    licenses: [{ pool: 'expiring', changes: [['2026-08-01T00:00:00Z', true]] }],
  },
  {
    name: 'u9 licensed, enabled for two days → licensed',
    mfa: [
      ['2026-09-10T00:00:00Z', true],
      ['2026-09-12T00:00:00Z', false],
    ],
    licenses: [{ pool: 'annual', changes: [['2026-08-01T00:00:00Z', true]] }],
  },
  { name: 'u10 enabled in the last millisecond → billed', mfa: [['2026-09-30T23:59:59.999Z', true]] },
  {
    name: 'u12 disabled exactly at 1 September 00:00 → August only',
    mfa: [
      ['2026-08-01T00:00:00Z', true],
      ['2026-09-01T00:00:00Z', false],
    ],
  },
];

const POOLS = {
  annual: { termStart: '2026-01-01T00:00:00Z', termEnd: '2027-01-01T00:00:00Z' },
  expiring: { termStart: '2025-09-15T00:00:00Z', termEnd: '2026-09-15T00:00:00Z' },
};

async function writeStories(h: BillingHarness, t: TenantFixture): Promise<Map<string, string>> {
  const poolIds = { annual: randomUUID(), expiring: randomUUID() };
  for (const [name, term] of Object.entries(POOLS))
    await h.sql(
      `INSERT INTO license_pools (tenant_id, id, name, seats, term_start, term_end, updated_at) VALUES ($1, $2, $3, 20, $4, $5, now())`,
      [t.id, poolIds[name as keyof typeof POOLS], name, term.termStart, term.termEnd],
    );
  const ids = new Map<string, string>();
  for (const s of STORIES) {
    const userId = randomUUID();
    ids.set(s.name, userId);
    for (const [at, enabled] of s.mfa)
      await h.sql(
        `INSERT INTO user_mfa_state_changes (tenant_id, id, user_id, enabled, changed_at) VALUES ($1, gen_random_uuid(), $2, $3, $4)`,
        [t.id, userId, enabled, at],
      );
    for (const l of s.licenses ?? [])
      for (const [at, assigned] of l.changes)
        await h.sql(
          `INSERT INTO license_assignment_changes (tenant_id, id, pool_id, user_id, assigned, changed_at) VALUES ($1, gen_random_uuid(), $2, $3, $4, $5)`,
          [t.id, poolIds[l.pool], userId, assigned, at],
        );
  }
  return ids;
}

/** The reference rule (pure domain function) over the same stories: an independent oracle for the SQL. */
function expected(monthStart: string, monthEnd: string) {
  let billable = 0;
  let licensed = 0;
  for (const s of STORIES) {
    const mfa: Change[] = s.mfa.map(([at, on]) => ({ at: d(at), on }));
    const licenses = (s.licenses ?? []).map((l) => ({
      changes: l.changes.map(([at, on]) => ({ at: d(at), on })),
      termStart: d(POOLS[l.pool].termStart),
      termEnd: d(POOLS[l.pool].termEnd),
    }));
    const f = userMonthFacts(mfa, licenses, d(monthStart), d(monthEnd));
    if (f.billable) billable += 1;
    if (f.licensed) licensed += 1;
  }
  return { billable, licensed };
}

describe('per_user billing over whole months (R3, R4, R9)', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBilling();
  });
  afterAll(() => h.close());

  it('R3/R4: the oracle agrees with the hand count of the scenario', () => {
    expect(expected('2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z')).toEqual({ billable: 6, licensed: 2 });
    expect(expected('2026-08-01T00:00:00Z', '2026-09-01T00:00:00Z')).toEqual({ billable: 4, licensed: 3 });
  });

  it('R3/R4: each ended month is reported once per provider with the exact count; licensed users never billed', async () => {
    const t = await createTenant(h);
    const other = await createTenant(h);
    const p = await createProvider(h, t, 'per_user', { createdAt: d('2026-08-01T00:00:00Z') });
    await writeStories(h, t);

    // Mid-September: the admin API shows the month so far; nothing is reported yet.
    h.setNow(d('2026-09-25T00:00:00Z'));
    await h.loop.pass();
    const sofar = await h.http().get('/v1/billing/usage').set(bearer(t.apiKey));
    expect(sofar.status).toBe(200);
    expect(sofar.body.period).toBe('2026-09');
    // By the 25th: u1, u3, u4, u8 (u5 loses its license on the 20th) → 5 with u5; u10 not yet enabled.
    expect(sofar.body.providers[0]).toMatchObject({ providerId: p, billableUsers: 5, licensedUsers: 2 });
    const cross = await h.http().get('/v1/billing/usage').set(bearer(other.apiKey));
    expect(cross.body.providers).toEqual([]);
    const august = h.stripe.meterEvents.get(`user_month:${p}:2026-08`);
    expect(august?.value).toBe(4);
    expect(h.stripe.meterEvents.get(`user_month:${p}:2026-09`)).toBeUndefined();

    // After the month: closed and reported.
    h.setNow(d('2026-10-02T08:00:00Z'));
    await h.loop.pass();
    await h.loop.pass();
    const september = h.stripe.meterEvents.get(`user_month:${p}:2026-09`);
    expect(september).toMatchObject({ event_name: 'twofold_billable_users', value: 6 });
    // Timestamped in its own month so Stripe bills it in September's period.
    expect(september?.timestamp).toBe(Date.parse('2026-09-30T23:59:59Z') / 1000);
    const after = await h.http().get('/v1/billing/usage?period=2026-09').set(bearer(t.apiKey));
    expect(after.body.providers[0]).toMatchObject({ billableUsers: 6, licensedUsers: 2, reported: 1, pending: 0 });

    // Once per provider-month: more passes, nothing new.
    const before = h.stripe.meterEvents.size;
    await h.loop.pass();
    await h.loop.pass();
    expect(h.stripe.meterEvents.size).toBe(before);
    const rows = await h.sql<{ key: string; quantity: number }>(
      `SELECT idempotency_key AS key, quantity FROM usage_ledger WHERE tenant_id = $1 ORDER BY period_start`,
      [t.id],
    );
    expect(rows).toEqual([
      { key: `user_month:${p}:2026-08`, quantity: 4 },
      { key: `user_month:${p}:2026-09`, quantity: 6 },
    ]);
    h.setNow(undefined);
  });

  it('R9: a free-tier tenant produces no metered usage', async () => {
    const t = await createTenant(h, 'free');
    const p = await createProvider(h, t, 'per_user', { createdAt: d('2026-08-01T00:00:00Z') });
    await writeStories(h, t);
    h.setNow(d('2026-10-02T08:00:00Z'));
    await h.loop.pass();
    await h.loop.pass();
    h.setNow(undefined);
    expect([...h.stripe.meterEvents.keys()].filter((k) => k.includes(p))).toEqual([]);
    const rows = await h.sql<{ reason: string }>(
      `SELECT skipped_reason AS reason FROM usage_ledger WHERE tenant_id = $1`,
      [t.id],
    );
    expect(rows.every((r) => r.reason === 'free_tier')).toBe(true);
  });

  it('R7: an unlinked per_user provider serves no cloud users and bills none', async () => {
    const t = await createTenant(h);
    const p = await createProvider(h, t, 'per_user', { linked: false, createdAt: d('2026-08-01T00:00:00Z') });
    await writeStories(h, t);
    h.setNow(d('2026-10-02T08:00:00Z'));
    await h.loop.pass();
    await h.loop.pass();
    h.setNow(undefined);
    const rows = await h.sql<{ quantity: number; reason: string }>(
      `SELECT quantity, skipped_reason AS reason FROM usage_ledger WHERE tenant_id = $1 AND provider_id = $2`,
      [t.id, p],
    );
    expect(rows).toEqual([
      { quantity: 0, reason: 'zero_quantity' },
      { quantity: 0, reason: 'zero_quantity' },
    ]);
  });
});

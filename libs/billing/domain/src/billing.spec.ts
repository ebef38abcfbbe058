import {
  classifyStripeFailure,
  monthKey,
  monthsBetween,
  parseMonth,
  shouldApply,
  usageDisposition,
  userMonthFacts,
  userMonthUsageKey,
} from './index';

const d = (iso: string) => new Date(iso);
const SEPT = [d('2026-09-01T00:00:00Z'), d('2026-10-01T00:00:00Z')] as const;
const annual = (changes: [string, boolean][]) => ({
  changes: changes.map(([at, on]) => ({ at: d(at), on })),
  termStart: d('2026-01-01T00:00:00Z'),
  termEnd: d('2027-01-01T00:00:00Z'),
});

describe('R3/R4 part-month rule: billed when enabled and unlicensed at some moment of the month', () => {
  it('licensed for every enabled moment → not billed', () => {
    const f = userMonthFacts(
      [{ at: d('2026-08-01T00:00:00Z'), on: true }],
      [annual([['2026-07-01T00:00:00Z', true]])],
      ...SEPT,
    );
    expect(f).toEqual({ enabled: true, billable: false, licensed: true });
  });
  it('licensed from the 15th → billed (unlicensed from the 1st to the 15th)', () => {
    const f = userMonthFacts(
      [{ at: d('2026-08-01T00:00:00Z'), on: true }],
      [annual([['2026-09-15T00:00:00Z', true]])],
      ...SEPT,
    );
    expect(f.billable).toBe(true);
  });
  it('license removed then enabled only before the removal → not billed', () => {
    const f = userMonthFacts(
      [
        { at: d('2026-09-02T00:00:00Z'), on: true },
        { at: d('2026-09-03T00:00:00Z'), on: false },
      ],
      [
        annual([
          ['2026-08-01T00:00:00Z', true],
          ['2026-09-10T00:00:00Z', false],
        ]),
      ],
      ...SEPT,
    );
    expect(f).toEqual({ enabled: true, billable: false, licensed: true });
  });
  it('a gap between two licenses while enabled → billed', () => {
    const f = userMonthFacts(
      [{ at: d('2026-08-01T00:00:00Z'), on: true }],
      [
        annual([
          ['2026-08-01T00:00:00Z', true],
          ['2026-09-10T00:00:00Z', false],
        ]),
        annual([['2026-09-11T00:00:00Z', true]]),
      ],
      ...SEPT,
    );
    expect(f.billable).toBe(true);
  });
  it('a license outside its pool term licenses nobody', () => {
    const f = userMonthFacts(
      [{ at: d('2026-08-01T00:00:00Z'), on: true }],
      [
        {
          changes: [{ at: d('2026-01-01T00:00:00Z'), on: true }],
          termStart: d('2025-10-01T00:00:00Z'),
          termEnd: d('2026-09-20T00:00:00Z'),
        },
      ],
      ...SEPT,
    );
    expect(f.billable).toBe(true);
  });
  it('disabled exactly at the month start → not in the month', () => {
    const f = userMonthFacts(
      [
        { at: d('2026-08-01T00:00:00Z'), on: true },
        { at: d('2026-09-01T00:00:00Z'), on: false },
      ],
      [],
      ...SEPT,
    );
    expect(f).toEqual({ enabled: false, billable: false, licensed: false });
  });
});

describe('usage disposition (R2, R6, R9)', () => {
  it('reports authentications of per_authentication providers and user-months of per_user providers only', () => {
    const base = { quantity: 1, tenantTier: 'standard' as const };
    expect(usageDisposition({ ...base, kind: 'authentication', billingModel: 'per_authentication' })).toEqual({
      report: true,
    });
    expect(usageDisposition({ ...base, kind: 'authentication', billingModel: 'per_user' })).toEqual({
      report: false,
      reason: 'not_billed_by_model',
    });
    expect(usageDisposition({ ...base, kind: 'user_month', billingModel: 'per_user' })).toEqual({ report: true });
    expect(usageDisposition({ ...base, kind: 'user_month', billingModel: 'per_user', quantity: 0 })).toEqual({
      report: false,
      reason: 'zero_quantity',
    });
    expect(
      usageDisposition({ ...base, tenantTier: 'free', kind: 'authentication', billingModel: 'per_authentication' }),
    ).toEqual({
      report: false,
      reason: 'free_tier',
    });
  });
});

describe('Stripe failures', () => {
  it('a duplicate identifier is "already reported"; 5xx, 429, timeouts are transient; other 4xx permanent', () => {
    expect(classifyStripeFailure({ statusCode: 400, code: 'resource_already_exists' })).toBe('already_reported');
    expect(classifyStripeFailure({ statusCode: 500 })).toBe('transient');
    expect(classifyStripeFailure({ statusCode: 429 })).toBe('transient');
    expect(classifyStripeFailure({ type: 'StripeConnectionError' })).toBe('transient');
    expect(classifyStripeFailure({ statusCode: 400, code: 'parameter_invalid', message: 'bad' })).toBe('permanent');
  });
});

describe('webhook ordering', () => {
  it('older events never overwrite newer state; same-second events move forward only', () => {
    const stored = { lastEventAt: d('2026-09-01T00:00:10Z'), status: 'paid' };
    expect(shouldApply('invoice', stored, { eventCreated: d('2026-09-01T00:00:05Z'), status: 'open' })).toBe(false);
    expect(shouldApply('invoice', stored, { eventCreated: d('2026-09-01T00:00:10Z'), status: 'open' })).toBe(false);
    expect(shouldApply('invoice', stored, { eventCreated: d('2026-09-01T00:00:11Z'), status: 'void' })).toBe(true);
    expect(shouldApply('invoice', null, { eventCreated: d('2026-09-01T00:00:00Z'), status: 'draft' })).toBe(true);
  });
});

describe('billing periods', () => {
  it('UTC calendar months and keys', () => {
    expect(monthKey(d('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(parseMonth('2026-02')?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(parseMonth('2026-13')).toBeUndefined();
    expect(monthsBetween(d('2026-11-15T00:00:00Z'), d('2027-02-01T00:00:00Z')).map(monthKey)).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
    ]);
    expect(userMonthUsageKey('p', d('2026-09-01T00:00:00Z'))).toBe('user_month:p:2026-09');
  });
});

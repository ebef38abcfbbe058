import { canResume, deletionDueAt, moneySettled, tenantState } from './tenant-lifecycle';

const none = { suspendedAt: null, deletionDueAt: null, deletionStartedAt: null, deletedAt: null };
const at = new Date('2026-12-03T12:00:00Z');

describe('tenant lifecycle (docs/decisions/0026)', () => {
  it('names each state from the timestamps, the furthest one winning', () => {
    expect(tenantState(none)).toBe('active');
    expect(tenantState({ ...none, suspendedAt: at })).toBe('suspended');
    expect(tenantState({ ...none, suspendedAt: at, deletionDueAt: at })).toBe('deletion_scheduled');
    expect(tenantState({ ...none, suspendedAt: at, deletionDueAt: at, deletionStartedAt: at })).toBe('deleting');
    expect(tenantState({ ...none, suspendedAt: at, deletionStartedAt: at, deletedAt: at })).toBe('deleted');
  });

  it('schedules the deletion grace days ahead; resume is possible only before it starts', () => {
    expect(deletionDueAt(at, 30).toISOString()).toBe('2027-01-02T12:00:00.000Z');
    expect(canResume({ ...none, suspendedAt: at, deletionDueAt: at })).toBe(true);
    expect(canResume({ ...none, suspendedAt: at, deletionStartedAt: at })).toBe(false);
    expect(canResume({ ...none, deletedAt: at })).toBe(false);
  });

  it('waits for every money fact before personal data may go', () => {
    const settled = {
      unreportedUsage: 0,
      unclosedProviders: 0,
      liveSubscriptions: 0,
      closingMonthEnded: true,
      openExports: 0,
    };
    expect(moneySettled(settled)).toEqual({ settled: true });
    expect(moneySettled({ ...settled, unreportedUsage: 3, closingMonthEnded: false })).toEqual({
      settled: false,
      waitingFor: ['closing_month', 'usage_reported'],
    });
    expect(moneySettled({ ...settled, unclosedProviders: 1, liveSubscriptions: 1, openExports: 2 })).toEqual({
      settled: false,
      waitingFor: ['user_month_rows', 'subscriptions_cancelled', 'export_files_expired'],
    });
  });
});

import { Clock } from '@twofold/platform/db';
import { adminQuery } from '@twofold/platform/testing';
import { MAINTENANCE_QUEUE, PartitionMaintenance } from '../src/maintenance/partition-maintenance';
import { ReportingHarness, expectScheduledOnceAcrossWorkers, seedTenant, startReporting } from './harness';

const monthKey = (d: Date) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/**
 * Issue 16 item 1 (decision 0022): the record and usage tables keep monthly partitions ahead, for
 * years; rows never stay in DEFAULT.
 */
describe('monthly partitions for years', () => {
  let h: ReportingHarness;
  beforeAll(async () => {
    h = await startReporting({ env: { PARTITION_MAINTENANCE_EVERY_MS: '0' } });
  });
  afterAll(() => h.close());

  const sql = <T extends object>(text: string, params: unknown[] = []) => adminQuery<T>(h.db, text, params);
  const maintenance = () => h.worker?.get(PartitionMaintenance) as PartitionMaintenance;
  const setNow = (at: Date) => {
    (h.worker?.get(Clock) as Clock).now = () => new Date(at);
  };
  const insertRows = async (tenantId: string, providerId: string, at: Date) => {
    await sql(
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id,
         method, result, data_region, correlation_id)
       VALUES ($1, gen_random_uuid(), $2, gen_random_uuid(), $3, 'alice', 'sms', 'success', 'us', 'test')`,
      [tenantId, at, providerId],
    );
    await sql(
      `INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id, occurred_at)
       VALUES ($1, gen_random_uuid(), $2, 'authentication', 'authentication:' || gen_random_uuid(),
               date_trunc('month', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', gen_random_uuid(), $3)`,
      [tenantId, providerId, at],
    );
  };
  const where = (at: Date) =>
    sql<{ part: string }>(
      `SELECT tableoid::regclass::text AS part FROM authentication_records WHERE occurred_at = $1
       UNION ALL SELECT tableoid::regclass::text FROM usage_ledger WHERE occurred_at = $1`,
      [at],
    );
  const inDefault = async () =>
    (
      await sql<{ n: number }>(
        `SELECT (SELECT count(*) FROM authentication_records_default) + (SELECT count(*) FROM usage_ledger_default) AS n`,
      )
    )[0]?.n;

  it('15 months on the fake clock: every row lands in its month’s partition, DEFAULT stays empty', async () => {
    const t = await seedTenant(h, 'Years');
    for (let m = 0; m < 15; m++) {
      const now = new Date(Date.UTC(2027, m, 15, 12));
      setNow(now);
      await maintenance().run();
      // The job runs hourly: rows written up to three months later still find their partition.
      const at = new Date(Date.UTC(2027, m + 2, 28, 23, 59, 59));
      await insertRows(t.id, t.providerId, at);
      expect(await where(at)).toEqual([
        { part: `authentication_records_p${monthKey(at)}` },
        { part: `usage_ledger_p${monthKey(at)}` },
      ]);
    }
    expect(Number(await inDefault())).toBe(0);
    // Partitions exist through 2028-06 (the last run, 2028-03, plus three months).
    const parts = await sql<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'authentication_records'::regclass AND c.relname LIKE 'authentication_records_p2028%'
        ORDER BY 1`,
    );
    expect(parts.map((p) => p.name)).toEqual(
      ['01', '02', '03', '04', '05', '06'].map((mm) => `authentication_records_p2028${mm}`),
    );
  });

  it('rows found in DEFAULT are moved into their month, and the run says so (the alert)', async () => {
    const t = await seedTenant(h, 'Late');
    const far = new Date(Date.UTC(2031, 4, 10, 8));
    await insertRows(t.id, t.providerId, far);
    expect(await where(far)).toEqual([{ part: 'authentication_records_default' }, { part: 'usage_ledger_default' }]);
    setNow(new Date(Date.UTC(2028, 3, 1)));
    const report = await maintenance().run();
    expect(report).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ table: 'authentication_records', moved: 1 }),
        expect.objectContaining({ table: 'usage_ledger', moved: 1 }),
      ]),
    );
    expect(await where(far)).toEqual([{ part: 'authentication_records_p203105' }, { part: 'usage_ledger_p203105' }]);
    expect(Number(await inDefault())).toBe(0);
    // The app role still reads them through the parent only (RLS applies), as before.
    const again = await maintenance().run();
    expect(again.every((r) => r.moved === 0)).toBe(true);
  });

  it('every worker upserts the same schedule: one job scheduler, and its job runs', async () => {
    const prefix = `{test-partitions-${Date.now()}}`;
    const env = { PARTITION_MAINTENANCE_EVERY_MS: '500', QUEUE_PREFIX: prefix };
    await expectScheduledOnceAcrossWorkers(MAINTENANCE_QUEUE, env);
  }, 30_000);
});

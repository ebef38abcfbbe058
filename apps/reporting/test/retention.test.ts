import { Clock } from '@twofold/platform/db';
import { adminQuery } from '@twofold/platform/testing';
import { PartitionMaintenance } from '../src/maintenance/partition-maintenance';
import { RETENTION_QUEUE, RetentionPurge } from '../src/maintenance/retention-purge';
import { ReportingHarness, expectScheduledOnceAcrossWorkers, seedTenant, startReporting } from './harness';

const DAY = 86_400_000;

/**
 * Issue 16 item 2 (decision 0025): records and audit entries older than each tenant's retention are
 * purged, whole months of records no tenant keeps are dropped, usage rows are never touched.
 */
describe('retention purge', () => {
  let h: ReportingHarness;
  beforeAll(async () => {
    h = await startReporting({
      env: {
        PARTITION_MAINTENANCE_EVERY_MS: '0',
        RETENTION_PURGE_EVERY_MS: '0',
        RETENTION_PURGE_BATCH_SIZE: '2',
        RECORD_RETENTION_DAYS_DEFAULT: '200',
        RECORD_RETENTION_DAYS_MIN: '90',
        RECORD_RETENTION_DAYS_MAX: '300',
      },
    });
  });
  afterAll(() => h.close());

  const sql = <T extends object>(text: string, params: unknown[] = []) => adminQuery<T>(h.db, text, params);
  const setNow = (at: Date) => {
    (h.worker?.get(Clock) as Clock).now = () => new Date(at);
  };
  const partitions = () => h.worker?.get(PartitionMaintenance) as PartitionMaintenance;
  const purge = () => h.worker?.get(RetentionPurge) as RetentionPurge;

  const write = async (tenantId: string, providerId: string, at: Date) => {
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
    await sql(
      `INSERT INTO audit_log (tenant_id, id, occurred_at, actor_type, action, target_type, correlation_id)
       VALUES ($1, gen_random_uuid(), $2, 'system', 'test.entry', 'test', 'test')`,
      [tenantId, at],
    );
  };
  const times = async (table: string, tenantId: string) =>
    (await sql<{ at: Date }>(`SELECT occurred_at AS at FROM ${table} WHERE tenant_id = $1 ORDER BY 1`, [tenantId])).map(
      (r) => new Date(r.at).getTime(),
    );

  it('16 months on the fake clock: each tenant keeps exactly its retention; old months are dropped', async () => {
    const short = await seedTenant(h, 'Short'); // 90 days of records, 95 of audit
    const dflt = await seedTenant(h, 'Default'); // 200 days of records (the default), audit default
    const long = await seedTenant(h, 'Long'); // 300 days of records
    await sql('UPDATE tenants SET record_retention_days = 90, audit_retention_days = 95 WHERE id = $1', [short.id]);
    await sql('UPDATE tenants SET record_retention_days = 300 WHERE id = $1', [long.id]);
    // A value the bounds no longer admit (set before the operator raised MIN) counts as MIN.
    const stale = await seedTenant(h, 'Stale');
    await sql('UPDATE tenants SET record_retention_days = 10 WHERE id = $1', [stale.id]);

    const written: number[] = [];
    let now = new Date(0);
    for (let m = 0; m < 16; m++) {
      for (const day of [2, 16]) {
        now = new Date(Date.UTC(2027, m, day, 12));
        setNow(now);
        await partitions().run();
        for (const t of [short, dflt, long, stale]) await write(t.id, t.providerId, now);
        written.push(now.getTime());
        await purge().run();
      }
    }
    const kept = (days: number) => written.filter((at) => at >= now.getTime() - days * DAY);
    expect(await times('authentication_records', short.id)).toEqual(kept(90));
    expect(await times('authentication_records', dflt.id)).toEqual(kept(200));
    expect(await times('authentication_records', long.id)).toEqual(kept(300));
    expect(await times('authentication_records', stale.id)).toEqual(kept(90));
    expect(await times('audit_log', short.id)).toEqual(kept(95));
    expect(await times('audit_log', dflt.id)).toEqual(written); // 730 days by default
    // Usage rows are financial, hold no personal data, and are never purged.
    expect(await times('usage_ledger', short.id)).toEqual(written);

    // Months that ended before every tenant's cutoff (300 days before 2028-04-16: 2027-06-21) are gone as
    // partitions; the month of the cutoff stays (its early rows went by batches).
    const parts = (
      await sql<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'authentication_records'::regclass ORDER BY 1`,
      )
    ).map((p) => p.name);
    expect(parts).not.toContain('authentication_records_p202705');
    expect(parts).toContain('authentication_records_p202706');
    expect(parts).toContain('authentication_records_default');
    const usageParts = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'usage_ledger'::regclass
          AND inhrelid::regclass::text LIKE 'usage_ledger_p2027%'`,
    );
    expect(usageParts[0]?.n).toBe(12);
    const inDefault = await sql<{ n: number }>(
      'SELECT (SELECT count(*) FROM authentication_records_default) + (SELECT count(*) FROM usage_ledger_default) AS n',
    );
    expect(Number(inDefault[0]?.n)).toBe(0);

    // A run with nothing to do changes nothing.
    const again = await purge().run();
    expect(again).toEqual({ droppedPartitions: [], records: {}, audit: {} });
  }, 120_000);

  it('never reaches into the month before the current one, even for rows older than the retention', async () => {
    const t = await seedTenant(h, 'Boundary');
    await sql('UPDATE tenants SET record_retention_days = 90 WHERE id = $1', [t.id]);
    const now = new Date(Date.UTC(2029, 5, 1, 0, 5)); // 2029-06-01 00:05: May is not closed yet
    setNow(now);
    await partitions().run();
    const may = new Date(Date.UTC(2029, 4, 1, 0, 0, 1));
    await write(t.id, t.providerId, may);
    await purge().run();
    expect(await times('authentication_records', t.id)).toEqual([may.getTime()]);
  });

  it('is scheduled once across workers, and its job runs', async () => {
    const prefix = `{test-retention-${Date.now()}}`;
    const env = { RETENTION_PURGE_EVERY_MS: '500', PARTITION_MAINTENANCE_EVERY_MS: '0', QUEUE_PREFIX: prefix };
    await expectScheduledOnceAcrossWorkers(RETENTION_QUEUE, env);
  }, 30_000);
});

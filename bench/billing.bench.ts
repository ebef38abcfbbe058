/**
 * Monthly usage aggregation of the billing service against a plain SQL GROUP BY of the same rows.
 *
 *   npm run bench:billing          (node bench/run-ts.js bench/billing.bench.ts)
 *
 * Optional environment: BENCH_ROWS (10,000,000), BENCH_TENANTS (50), BENCH_PROVIDERS (4 per tenant),
 * BENCH_POOL_SIZE (4: tenant transactions run at once).
 *
 * 1. Clones the migrated template into a scratch database and loads BENCH_ROWS usage rows for one
 *    month (authentication rows, half of them reported), spread over tenants and providers.
 * 2. Times the aggregation as the service runs it: BillingAccountsRepository.usageSummary in each
 *    tenant's RLS-scoped transaction (DbService.inTenant, app role), tenant after tenant.
 * 3. Times one plain `GROUP BY tenant_id, provider_id, kind` over the same month as the owner.
 * 4. Checks both give identical results, drops the database.
 *
 * The last line is `ratio <aggregation time ÷ GROUP BY time>` (goal ≤ 3).
 */
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { BillingAccountsRepository } from '@twofold/billing/data-access';
import { DbService } from '@twofold/platform/db';
import { createTestDatabase } from '@twofold/platform/testing';

// Keep the last line `ratio …`: no Nest log lines after it.
Logger.overrideLogger(false);

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 50);
const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 4);
const POOL = Number(process.env.BENCH_POOL_SIZE ?? 4);
const FROM = new Date('2026-09-01T00:00:00Z');
const TO = new Date('2026-10-01T00:00:00Z');

type Line = {
  tenantId: string;
  providerId: string;
  kind: string;
  rows: number;
  quantity: number;
  reported: number;
  pending: number;
};
const key = (l: Line) => `${l.tenantId}/${l.providerId}/${l.kind}`;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const owner = new Client({ connectionString: db.adminUrl });
  await owner.connect();
  const app = new DbService({ DATABASE_URL: db.appUrl, DATABASE_POOL_SIZE: POOL } as never);
  try {
    let t0 = process.hrtime.bigint();
    await owner.query(`SELECT twofold_create_month_partitions('usage_ledger', '2026-09-01', 1)`);
    const tenants: string[] = [];
    for (let t = 0; t < TENANTS; t++) {
      const { rows } = await owner.query<{ id: string }>(
        `INSERT INTO tenants (id, name, data_region, updated_at) VALUES (gen_random_uuid(), $1, 'us', now()) RETURNING id::text`,
        [`bench ${t}`],
      );
      const tenantId = rows[0]?.id as string;
      tenants.push(tenantId);
      await owner.query(
        `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, updated_at)
         SELECT $1, gen_random_uuid(), 'p' || i, 'per_authentication', $1, now() FROM generate_series(1, $2::int) i`,
        [tenantId, PROVIDERS],
      );
      const perTenant = Math.floor(ROWS / TENANTS) + (t < ROWS % TENANTS ? 1 : 0);
      await owner.query(
        `WITH p AS (SELECT array_agg(id ORDER BY id) AS ids FROM providers WHERE tenant_id = $1)
         INSERT INTO usage_ledger (tenant_id, id, provider_id, kind, idempotency_key, period_start, subject_id, quantity, occurred_at, reported_at)
         SELECT $1, s.id, p.ids[1 + (s.n % $3::int)], 'authentication', 'authentication:' || s.id, $4, s.id, 1,
                $4::timestamptz + (s.n % 2592000) * interval '1 second',
                CASE WHEN s.n % 2 = 0 THEN $4::timestamptz + interval '1 hour' END
           FROM p, (SELECT n, gen_random_uuid() AS id FROM generate_series(1, $2::int) n) s`,
        [tenantId, perTenant, PROVIDERS, FROM],
      );
    }
    await owner.query('VACUUM ANALYZE usage_ledger');
    const loadMs = ms(t0);
    process.stdout.write(
      `loaded ${ROWS} usage rows (${TENANTS} tenants × ${PROVIDERS} providers) in ${(loadMs / 1000).toFixed(1)} s\n`,
    );

    // Warm both paths once (connection pools, plan caches, buffer cache).
    const repo = new BillingAccountsRepository(app);
    await app.onModuleInit();
    await app.inTenant(tenants[0] as string, (scope) => repo.usageSummary(scope, FROM, TO));

    const groupBySql = `
      SELECT tenant_id::text AS "tenantId", provider_id::text AS "providerId", kind::text AS "kind", count(*)::int AS "rows",
             coalesce(sum(quantity), 0)::int AS "quantity",
             count(*) FILTER (WHERE reported_at IS NOT NULL)::int AS "reported",
             count(*) FILTER (WHERE reported_at IS NULL AND skipped_reason IS NULL)::int AS "pending"
        FROM usage_ledger WHERE period_start >= $1 AND period_start < $2
       GROUP BY tenant_id, provider_id, kind`;
    await owner.query(groupBySql, [FROM, TO]);

    t0 = process.hrtime.bigint();
    const ours: Line[] = [];
    // As many tenant transactions at once as the service's pool holds (a worker would do the same).
    let next = 0;
    await Promise.all(
      Array.from({ length: POOL }, async () => {
        while (next < tenants.length) {
          const tenantId = tenants[next++] as string;
          const lines = await app.inTenant(tenantId, (scope) => repo.usageSummary(scope, FROM, TO));
          for (const l of lines)
            ours.push({
              tenantId,
              providerId: l.providerId,
              kind: l.kind,
              rows: l.rows,
              quantity: l.quantity,
              reported: l.reported,
              pending: l.pending,
            });
        }
      }),
    );
    const aggregationMs = ms(t0);

    t0 = process.hrtime.bigint();
    const plain = (await owner.query<Line>(groupBySql, [FROM, TO])).rows;
    const groupByMs = ms(t0);

    const a = new Map(ours.map((l) => [key(l), JSON.stringify(l)]));
    const b = new Map(plain.map((l) => [key(l), JSON.stringify(l)]));
    const identical = a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    const total = ours.reduce((s, l) => s + l.rows, 0);
    process.stdout.write(
      `aggregation (service, ${TENANTS} tenant transactions, RLS, ${POOL} at once): ${aggregationMs.toFixed(0)} ms, ${total} rows\n`,
    );
    process.stdout.write(
      `plain GROUP BY (owner, one query): ${groupByMs.toFixed(0)} ms, ${plain.reduce((s, l) => s + l.rows, 0)} rows\n`,
    );
    process.stdout.write(`identical results: ${identical ? 'yes' : 'NO'} (${a.size} provider-kind lines)\n`);
    if (!identical || total !== ROWS) process.exitCode = 1;
    process.stdout.write(`ratio ${(aggregationMs / groupByMs).toFixed(2)}\n`);
  } finally {
    await app.close().catch(() => undefined);
    await owner.end();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});

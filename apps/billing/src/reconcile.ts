import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nextMonthStart, parseMonth } from '@twofold/billing/domain';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import type { FailedUsageRow } from '@twofold/billing/data-access';
import { BillingCoreModule } from './billing-core.module';
import { loadWorkerConfig } from './config';
import { ReconciliationLine, ReconciliationService } from './reconciliation/reconciliation.service';

/**
 * Reconciliation command (R10): `node dist/apps/billing/src/reconcile.js --from 2026-09 --to 2026-10 [--all]`
 * (months, `--to` exclusive; ISO instants work too). Prints one line per customer and meter whose
 * totals differ between our ledger and Stripe (every line with --all), one STALE line per tenant with
 * usage rows pending longer than 12 h (any period), one FAILED line per usage row Stripe refused for
 * good, and exits 1 when any differs, is stale or failed.
 *
 * An operator resolves a failed row with `reconcile.js --retry-failed <rowId> --reason "<why>"` (back to
 * pending, after fixing the cause) or `--void-failed <rowId> --reason "<why>"` (never billed); each
 * writes an audit entry in the tenant's log (issue 13 item 4).
 */
const argOf = (argv: string[], name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** `--retry-failed <id>` or `--void-failed <id>`, with the `--reason` the audit entry keeps. */
export function parseResolution(argv: string[]): { id: string; decision: 'retry' | 'void'; reason: string } | null {
  const retry = argOf(argv, '--retry-failed');
  const voided = argOf(argv, '--void-failed');
  if (retry === undefined && voided === undefined) return null;
  if (retry !== undefined && voided !== undefined) throw new Error('give either --retry-failed or --void-failed');
  const id = (retry ?? voided ?? '').toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))
    throw new Error('the usage row id must be a UUID (see the FAILED lines)');
  const reason = argOf(argv, '--reason')?.trim();
  if (!reason) throw new Error('--reason "<why>" is required: it goes into the tenant\'s audit log');
  return { id, decision: retry !== undefined ? 'retry' : 'void', reason: reason.slice(0, 500) };
}

export function parsePeriod(argv: string[]): { from: Date; to: Date; all: boolean } {
  const arg = (name: string) => argOf(argv, name);
  const when = (v: string | undefined, name: string) => {
    const d = v === undefined ? undefined : (parseMonth(v) ?? new Date(v));
    if (!d || Number.isNaN(d.getTime())) throw new Error(`${name} must be a month (yyyy-mm) or an ISO instant`);
    return d;
  };
  const from = when(arg('--from'), '--from');
  const to = arg('--to') === undefined ? nextMonthStart(from) : when(arg('--to'), '--to');
  return { from, to, all: argv.includes('--all') };
}

export function formatLines(lines: ReconciliationLine[], all: boolean): string[] {
  return lines
    .filter((l) => all || l.ours !== l.stripe)
    .map(
      (l) =>
        `${l.ours === l.stripe ? 'ok  ' : 'DIFF'} tenant=${l.tenantId} customer=${l.stripeCustomerId} meter=${l.meter} ` +
        `ledger=${l.ours} stripe=${l.stripe} difference=${l.stripe - l.ours}`,
    );
}

/** One line per tenant with usage rows pending longer than 12 h (they are in neither total yet). */
export function formatStale(stale: { tenantId: string; rows: number; oldest: Date }[]): string[] {
  return stale.map(
    (s) => `STALE tenant=${s.tenantId} pending=${s.rows} oldest=${s.oldest.toISOString()} (pending longer than 12 h)`,
  );
}

/** One line per usage row Stripe refused for good (it is in neither total). */
export function formatFailed(rows: FailedUsageRow[]): string[] {
  return rows.map(
    (r) =>
      `FAILED tenant=${r.tenantId} row=${r.id} key=${r.idempotencyKey} quantity=${r.quantity} ` +
      `occurred=${r.occurredAt.toISOString()} failed=${r.failedAt.toISOString()} attempts=${r.reportAttempts} ` +
      `error=${JSON.stringify(r.lastError ?? '')}`,
  );
}

@Module({})
class ReconcileModule {}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const resolution = parseResolution(argv);
  const config = loadWorkerConfig();
  const app = await NestFactory.createApplicationContext(
    { module: ReconcileModule, imports: [AppConfigModule.forRoot(config), DbModule, BillingCoreModule] },
    { logger: ['error'] },
  );
  try {
    if (resolution) {
      const row = await app
        .get(ReconciliationService)
        .resolveFailed(resolution.id, resolution.decision, resolution.reason);
      if (!row) {
        process.stderr.write(`no failed usage row ${resolution.id} (already resolved, or never failed)\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `${resolution.decision === 'retry' ? 'RETRY' : 'VOID'} tenant=${row.tenantId} row=${row.id} key=${row.idempotencyKey} (audited)\n`,
      );
      process.exitCode = 0;
      return;
    }
    const { from, to, all } = parsePeriod(argv);
    const lines = await app.get(ReconciliationService).compare(from, to);
    for (const line of formatLines(lines, all)) process.stdout.write(`${line}\n`);
    const differences = lines.filter((l) => l.ours !== l.stripe).length;
    const stale = await app.get(ReconciliationService).stalePending();
    for (const line of formatStale(stale)) process.stdout.write(`${line}\n`);
    const staleRows = stale.reduce((n, s) => n + s.rows, 0);
    const failed = await app.get(ReconciliationService).failed();
    for (const line of formatFailed(failed)) process.stdout.write(`${line}\n`);
    process.stdout.write(
      `period ${from.toISOString()} .. ${to.toISOString()}: ${lines.length} customer-meters, ${differences} differences; ` +
        `${staleRows} usage rows pending longer than 12 h; ${failed.length} refused for good\n`,
    );
    process.exitCode = differences > 0 || staleRows > 0 || failed.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  });
}

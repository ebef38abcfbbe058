import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nextMonthStart, parseMonth } from '@twofold/billing/domain';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { BillingCoreModule } from './billing-core.module';
import { loadWorkerConfig } from './config';
import { ReconciliationLine, ReconciliationService } from './reconciliation/reconciliation.service';

/**
 * Reconciliation command (R10): `node dist/apps/billing/src/reconcile.js --from 2026-09 --to 2026-10 [--all]`
 * (months, `--to` exclusive; ISO instants work too). Prints one line per customer and meter whose
 * totals differ between our ledger and Stripe (every line with --all), one STALE line per tenant with
 * usage rows pending longer than 12 h (any period), and exits 1 when any differs or is stale.
 */
export function parsePeriod(argv: string[]): { from: Date; to: Date; all: boolean } {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
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

@Module({})
class ReconcileModule {}

async function main(): Promise<void> {
  const { from, to, all } = parsePeriod(process.argv.slice(2));
  const config = loadWorkerConfig();
  const app = await NestFactory.createApplicationContext(
    { module: ReconcileModule, imports: [AppConfigModule.forRoot(config), DbModule, BillingCoreModule] },
    { logger: ['error'] },
  );
  try {
    const lines = await app.get(ReconciliationService).compare(from, to);
    for (const line of formatLines(lines, all)) process.stdout.write(`${line}\n`);
    const differences = lines.filter((l) => l.ours !== l.stripe).length;
    const stale = await app.get(ReconciliationService).stalePending();
    for (const line of formatStale(stale)) process.stdout.write(`${line}\n`);
    const staleRows = stale.reduce((n, s) => n + s.rows, 0);
    process.stdout.write(
      `period ${from.toISOString()} .. ${to.toISOString()}: ${lines.length} customer-meters, ${differences} differences; ` +
        `${staleRows} usage rows pending longer than 12 h\n`,
    );
    process.exitCode = differences > 0 || staleRows > 0 ? 1 : 0;
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

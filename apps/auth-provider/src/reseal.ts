import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { loadAuthProviderConfig } from './config';
import { ResealModule } from './reseal/reseal.module';
import { ResealReport, ResealService } from './reseal/reseal.service';

/**
 * Re-seal command (issue 16 item 6, docs/operations.md "Rotate secrets"):
 * `node dist/apps/auth-provider/src/reseal.js [--batch 500] [--check]`, run with the same SECRETS_KEYS
 * and SECRETS_ACTIVE_KEY_ID as the services, after every process was restarted with the new active key.
 * Re-seals every secret still under another key; `--check` only counts. Prints one line per kind and
 * key, and exits 1 while any row is still sealed with another key than the active one (then that key
 * must stay in SECRETS_KEYS), 0 when the old keys can go.
 */
export function parseResealArgs(argv: string[]): { batch: number; check: boolean } {
  const i = argv.indexOf('--batch');
  const batch = i >= 0 ? Number(argv[i + 1]) : 500;
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new Error('--batch must be an integer 1-10000');
  const known = new Set(['--batch', '--check']);
  const unknown = argv.filter((a, j) => a.startsWith('--') && !known.has(a) && argv[j - 1] !== '--batch');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]} (use --batch <n>, --check)`);
  return { batch, check: argv.includes('--check') };
}

export function formatReport(
  active: string,
  reports: (Pick<ResealReport, 'kind' | 'keys'> & Partial<ResealReport>)[],
): { lines: string[]; stale: number } {
  const lines: string[] = [];
  let stale = 0;
  for (const r of reports) {
    for (const k of r.keys) {
      if (k.keyId !== active) stale += k.rows;
      lines.push(`${k.keyId === active ? 'ok   ' : 'OLD  '} ${r.kind} key=${k.keyId} rows=${k.rows}`);
    }
    if (r.resealed !== undefined) lines.push(`done  ${r.kind} resealed=${r.resealed} failed=${r.failed?.length ?? 0}`);
    for (const f of r.failed ?? []) lines.push(`FAILED ${r.kind} row=${f.id} reason=${JSON.stringify(f.reason)}`);
  }
  lines.push(
    stale === 0
      ? `every sealed secret is under the active key "${active}": older keys may leave SECRETS_KEYS`
      : `${stale} rows are still sealed with another key than "${active}": keep those keys listed`,
  );
  return { lines, stale };
}

@Module({})
class ResealCommandModule {}

async function main(): Promise<void> {
  const { batch, check } = parseResealArgs(process.argv.slice(2));
  const config = loadAuthProviderConfig();
  const app = await NestFactory.createApplicationContext(
    { module: ResealCommandModule, imports: [AppConfigModule.forRoot(config), DbModule, ResealModule] },
    { logger: ['error'] },
  );
  try {
    const service = app.get(ResealService);
    const reports = check ? await service.counts() : await service.resealAll(batch);
    const { lines, stale } = formatReport(service.activeKeyId, reports);
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.exitCode = stale > 0 ? 1 : 0;
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

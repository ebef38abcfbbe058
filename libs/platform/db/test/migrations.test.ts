import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MIGRATIONS = join(__dirname, '../../../../prisma/migrations');

/**
 * Guards for the offline Prisma route (docs/decisions/0002, 0003): the Wasm schema engine crashes
 * on a database that has CHECK constraints, which silently breaks `prisma migrate dev` for everyone.
 * Rules that would be CHECKs are BEFORE triggers raising SQLSTATE 23514 with the rule's code.
 */
describe('committed migrations', () => {
  const files = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, sql: readFileSync(join(MIGRATIONS, d.name, 'migration.sql'), 'utf8') }));

  it('have no CHECK constraints (policies’ WITH CHECK is fine)', () => {
    const offenders = files.filter((f) =>
      f.sql
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .some((line) => /\bCHECK\s*\(/i.test(line) && !/WITH\s+CHECK\s*\(/i.test(line)),
    );
    expect(offenders.map((f) => f.name)).toEqual([]);
  });

  it('are ordered by a timestamp prefix, each unique', () => {
    const names = files.map((f) => f.name);
    expect(names.every((n) => /^\d{14}_[a-z0-9_]+$/.test(n))).toBe(true);
    expect(new Set(names.map((n) => n.slice(0, 14))).size).toBe(names.length);
  });
});

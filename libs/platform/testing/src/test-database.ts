import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Test databases (STYLE.md): the committed migrations are applied once into a template database
 * (named by a hash of the migration files, so a changed migration makes a new template), and each
 * test file clones it with CREATE DATABASE ... TEMPLATE. Tests connect as the app role, so
 * row-level security is exercised exactly as in production.
 */
const ROOT = join(__dirname, '../../../..');
const MIGRATIONS = join(ROOT, 'prisma/migrations');

export const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const APP_ROLE = process.env.TEST_APP_DB_USER ?? 'twofold_app';

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(): Migration[] {
  return readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(MIGRATIONS, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function templateName(): string {
  const h = createHash('sha256');
  for (const m of readMigrations()) h.update(m.name).update(m.checksum);
  return `twofold_tpl_${h.digest('hex').slice(0, 16)}`;
}

function urlFor(database: string, user?: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = process.env.TEST_APP_DB_PASSWORD ?? '';
  }
  return u.toString();
}

async function withAdmin<T>(work: (c: Client) => Promise<T>, database?: string): Promise<T> {
  const client = new Client({ connectionString: database ? urlFor(database) : ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies the migrations the way `prisma migrate deploy` records them, so `migrate status` agrees. */
async function applyMigrations(database: string): Promise<void> {
  await withAdmin(async (c) => {
    await c.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
    for (const m of readMigrations()) {
      await c.query(m.sql);
      await c.query(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES (gen_random_uuid(), $1, now(), $2, 1)`,
        [m.checksum, m.name],
      );
    }
  }, database);
}

/** Called once per test run (jest globalSetup). */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await withAdmin(async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return;
    const building = `${name}_build_${randomBytes(4).toString('hex')}`;
    await c.query(`CREATE DATABASE "${building}"`);
    try {
      await applyMigrations(building);
      await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      // When it was built: another checkout on this server (a git worktree) may be testing against
      // an older template right now, so only templates unused for a day are dropped.
      await c.query(`COMMENT ON DATABASE "${name}" IS 'built ${Math.floor(Date.now() / 1000)}'`);
    } catch (error) {
      await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      // Another run may have built the same template meanwhile.
      const again = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!again.rowCount) throw error;
    }
    await dropStaleDatabases(c);
  });
  return name;
}

/** Test databases left by a crashed run, older than an hour; templates of other migrations built over a day ago. */
async function dropStaleDatabases(c: Client): Promise<void> {
  const { rows } = await c.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database
      WHERE datname LIKE 'twofold_test_%' OR datname LIKE 'twofold_tpl_%'`,
  );
  const current = templateName();
  const now = Math.floor(Date.now() / 1000);
  for (const { datname, comment } of rows) {
    const born = Number(/^twofold_test_(\d+)_/.exec(datname)?.[1] ?? NaN);
    const staleTest = Number.isFinite(born) && born < now - 3600;
    const built = Number(/^built (\d+)$/.exec(comment ?? '')?.[1] ?? 0);
    const oldTemplate =
      datname.startsWith('twofold_tpl_') && datname !== current && !datname.includes('_build_') && built < now - 86400;
    if (staleTest || oldTemplate)
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

export interface TestDatabase {
  name: string;
  /** Connection as the app role (RLS applies): what the services use. */
  appUrl: string;
  /** Connection as the owner: for fixtures and for checking what was written. */
  adminUrl: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = `twofold_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    name,
    appUrl: urlFor(name, APP_ROLE),
    adminUrl: urlFor(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs SQL as the owner (bypasses RLS): for checking what the app really wrote. */
export async function adminQuery<T extends object = Record<string, unknown>>(
  db: TestDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withAdmin(async (c) => (await c.query<T>(sql, params)).rows, db.name);
}

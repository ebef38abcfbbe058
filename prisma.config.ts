// Prisma CLI configuration. Offline route (docs/decisions/0002-prisma-offline-migrations.md):
// Prisma 6.19.3 with the Wasm schema engine through adapter-pg ("engine: js"), because the native
// engines cannot be downloaded on our machines.
import 'dotenv/config';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

process.env.CHECKPOINT_DISABLE ??= '1';
// Stop the CLI from downloading engine binaries it will not use (engine: 'js' + engineType client).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= `${__dirname}/prisma/engine-stub.sh`;
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= `${__dirname}/prisma/engine-stub.so.node`;
// Migrations run as the owner (MIGRATION_DATABASE_URL); the services connect as the app role
// (DATABASE_URL). `prisma generate` only validates that DATABASE_URL is set.
const givenDatabaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ??= 'postgresql://twofold_app@127.0.0.1:5432/twofold';
const migrationUrl = (): string =>
  process.env.MIGRATION_DATABASE_URL ?? givenDatabaseUrl ?? 'postgresql://postgres@127.0.0.1:5432/twofold';

type Performer = {
  performIO(q: unknown): Promise<{ fields?: { dataTypeID: number }[] }>;
  executeScript(script: string): Promise<void>;
  client: { query(sql: string): Promise<unknown> };
  onError(error: unknown): never;
};

// prisma/orm#27403: adapter-pg rejects PostgreSQL "name"(19)/"char"(18) columns that the Wasm
// schema engine's introspection queries return. Report them as text(25).
// adapter-pg's executeScript splits a migration on every ";" (even inside function bodies and
// comments): send the whole script as one simple-protocol query instead, which PostgreSQL also
// runs as one implicit transaction.
let patched = false;
function patch(adapter: object): void {
  patchScripts(adapter);
  if (patched) return;
  let proto: object | null = Object.getPrototypeOf(adapter) as object | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'performIO')) {
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  if (!proto) return;
  const target = proto as Performer;
  const orig = target.performIO;
  target.performIO = async function (this: unknown, q: unknown) {
    const r = await orig.call(this, q);
    for (const f of r.fields ?? []) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25;
    return r;
  };
  patched = true;
}

function patchScripts(adapter: object): void {
  const a = adapter as Performer;
  a.executeScript = async (script: string) => {
    try {
      await a.client.query(script);
    } catch (error) {
      a.onError(error);
    }
  };
}

// Discrete fields, never a connection string: with one, adapter-pg's shadow database was the real one.
function pgConfig(): pg.PoolConfig {
  const u = new URL(migrationUrl());
  return {
    host: u.searchParams.get('host') ?? u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password) || undefined,
    database: u.pathname.slice(1),
    allowExitOnIdle: true, // the CLI never ends its pool; without this each command lingers ~10 s
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  async adapter() {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const f: any = new PrismaPg(pgConfig());
    const connect = f.connect.bind(f);
    f.connect = async () => {
      const a = await connect();
      patch(a);
      return a;
    };
    // adapter-pg 6.19.3 drops the shadow database before closing its pool (fails): own its lifecycle.
    f.connectToShadowDb = async () => {
      const cfg = pgConfig();
      const admin = new pg.Client(cfg);
      await admin.connect();
      const db = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
      await admin.query(`CREATE DATABASE "${db}"`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const a: any = await new PrismaPg({ ...cfg, database: db }).connect();
      patch(a);
      const dispose = a.dispose.bind(a);
      a.dispose = async () => {
        await dispose();
        await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
        await admin.end();
      };
      return a;
    };
    return f;
  },
});

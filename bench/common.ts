/**
 * Helpers shared by bench/export.bench.ts and bench/delivery.bench.ts: the same build, database,
 * child-process and RSS handling as bench/authentications.bench.ts (which keeps its own copy).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ADMIN_URL, ensureTemplate } from '@twofold/platform/testing';
import { apiKeyDisplayPrefix, formatApiKey, hashApiKey } from '@twofold/tenancy/domain';

export const ROOT = join(__dirname, '..');
export const run = promisify(execFile);
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const out = (name: string, value: string | number) => console.log(`${name} ${value}`);
export const note = (text: string) => console.log(`# ${text}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const nowMs = () => performance.now();

export const newStamp = () => `${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;

// --- build ------------------------------------------------------------------------------------

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const parent = entry.parentPath ?? entry.path;
    if (parent.includes('node_modules')) continue;
    newest = Math.max(newest, statSync(join(parent, entry.name)).mtimeMs);
  }
  return newest;
}

export async function buildIfStale(): Promise<void> {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist/.tsbuildinfo')).mtimeMs;
  } catch {
    built = 0;
  }
  const sources = Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  if (built >= sources) return;
  note('dist/ is older than the sources: bash .ci/build.sh');
  try {
    await run('bash', ['.ci/build.sh'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const first = String((error as { stdout?: string }).stdout ?? error).split('\n')[0];
    note(`WARNING: the build failed (${first}); benchmarking dist/ as tsc emitted it`);
    await run('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
}

// --- databases --------------------------------------------------------------------------------

export function dbUrl(database: string, user?: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = process.env.TEST_APP_DB_PASSWORD ?? '';
  }
  return u.toString();
}

export async function admin<T>(work: (c: Client) => Promise<T>, database?: string): Promise<T> {
  const c = new Client({ connectionString: database ? dbUrl(database) : ADMIN_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

export const dropDatabase = (name: string) =>
  admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);

/** Clones the migrated template; retries when a concurrent run replaced the template. */
export async function createBenchDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const template = await ensureTemplate();
      await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      return;
    } catch (error) {
      if (attempt >= 5 || !['3D000', 'ENOENT'].includes((error as { code?: string }).code ?? '')) throw error;
      await sleep(2_000);
    }
  }
}

/** Bench databases a crashed run left behind, older than an hour. */
export async function dropStaleBenchDatabases(): Promise<void> {
  await admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'twofold\\_bench\\_%'`,
    );
    const hourAgo = Date.now() / 1000 - 3600;
    for (const { datname } of rows) {
      const born = Number(/^twofold_bench_(\d+)_/.exec(datname)?.[1] ?? NaN);
      if (born < hourAgo) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  });
}

export interface SeededTenant {
  id: string;
  apiKey: string;
  providerId: string;
}

/** A tenant with an API key and a provider, written as the owner (as apps/reporting/test/harness.ts does). */
export async function seedTenant(database: string, name: string, region = 'us'): Promise<SeededTenant> {
  const id = randomUUID();
  const providerId = randomUUID();
  const apiKey = formatApiKey(randomBytes(32));
  await admin(async (c) => {
    await c.query(`INSERT INTO tenants (id, name, data_region, updated_at) VALUES ($1, $2, $3, now())`, [
      id,
      name,
      region,
    ]);
    await c.query(
      `INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash) VALUES ($1, gen_random_uuid(), 'k', $2, $3)`,
      [id, apiKeyDisplayPrefix(apiKey), hashApiKey(apiKey)],
    );
    await c.query(
      `INSERT INTO providers (tenant_id, id, name, billing_model, linked_tenant_id, updated_at) VALUES ($1, $2, 'P', 'per_authentication', $1, now())`,
      [id, providerId],
    );
  }, database);
  return { id, apiKey, providerId };
}

// --- child processes --------------------------------------------------------------------------

export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** CPU time (user + system) a process has used so far, in seconds (Linux clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest value seen. */
export function sampleRss(pid: number, everyMs = 100): { stop: () => number; samples: number[] } {
  const samples: number[] = [];
  const take = () => {
    try {
      samples.push(rssMb(pid));
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
      return Math.max(...samples);
    },
  };
}

const stopping = new Set<ChildProcess>();

export function startChild(
  script: string,
  env: Record<string, string>,
  name: string,
  /** Extra node flags before the script (e.g. --cpu-prof). */
  nodeArgs: string[] = [],
): { child: ChildProcess; logs: () => string } {
  let logs = '';
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      logs += chunk;
      if (logs.length > 1_000_000) logs = logs.slice(-500_000);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping.has(child)) console.error(`${name} exited early (${code ?? signal}):\n${logs.slice(-4000)}`);
  });
  return { child, logs: () => logs };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) child.kill('SIGKILL');
}

export function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

export async function waitReady(child: ChildProcess, port: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${logs().slice(-4000)}`);
    if ((await httpStatus(port, '/health/ready').catch(() => 0)) === 200) return;
    await sleep(200);
  }
  throw new Error(`the service was not ready within 60 s:\n${logs().slice(-4000)}`);
}

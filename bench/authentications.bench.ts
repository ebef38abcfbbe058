/**
 * End-to-end SMS authentication throughput of the built auth-provider, against the local PostgreSQL
 * and Redis, compared with pgbench doing the minimum raw SQL of one authentication.
 *
 *   npm run bench:authentications          (node bench/run-ts.js bench/authentications.bench.ts)
 *
 * Optional environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2; BENCH_HISTORY_WARMUP_SECONDS, 20, for
 * the phase after the history's seeding and checkpoint), BENCH_USERS (2000; R13 allows each
 * 5 starts per phase, so a phase can run at most 5 × BENCH_USERS authentications: raise it past ~400/s),
 * BENCH_PORT (3950), BENCH_POOL_SIZE (20, per process), BENCH_HTTP_PROCESSES (2: HTTP_PROCESSES of the service, one per core), BENCH_CPU_PROF (a directory: the service writes a V8 CPU profile
 * of the measured phases and the probe there, `auth-provider.cpuprofile`), BENCH_HISTORY (1000000: prior
 * authentications seeded before the c50 phase runs again; 0 skips that phase), BENCH_TRACK_PLANNING (1: plan
 * times in pg_stat_statements for the bench database; 0 turns that bookkeeping off), BENCH_HOT_PATH_SCRIPT
 * (a file: keeps the generated schema-ceiling pgbench script there). How to read the figures: bench/README.md.
 *
 * 1. Builds dist/ when a source is newer, clones the migrated template into `twofold_bench_<ts>`
 *    and runs `node dist/apps/auth-provider/src/main.js` as a child process (its own SecretBox key,
 *    NODE_ENV=production, `bench/count-queries.js` preloaded to count SQL statements).
 * 2. Seeds through the API: a tenant, a per-authentication provider, users with SMS registered.
 * 3. A fake SMS receiver (a BullMQ worker on `delivery.sms`) opens each job's sealed code, the way
 *    apps/delivery does; no endpoint reveals a code. Each connection loops: start → code → verify.
 * 4. Issue 21: the tenant gets BENCH_HISTORY prior authentications with their records, usage rows and
 *    messages (seedHistory, in SQL), and the c50 phase runs again. `history_cost_ratio` is the
 *    whole machine's CPU per authentication in that phase ÷ in the first c50 phase (goal ≤ 1.2).
 * 5. Every measured window prints CPU per authentication by process (service, PostgreSQL backends,
 *    PostgreSQL background processes, Redis, the client) from /proc, and PostgreSQL's time per
 *    statement from pg_stat_statements (bench/pg-statements.ts), the window's difference only.
 * 6. The schema's ceiling (issue 17): two authentications are traced statement by statement
 *    (bench/count-queries.js) and replayed by pgbench with the same texts, parameters, role, RLS
 *    and round trips (bench/hot-path-pgbench.ts), on the bench database, before the history.
 * 7. pgbench runs bench/auth-equivalent.sql on a scratch database, then the TOTP in-process figure
 *    comes from bench/otp.bench.ts. Everything created is dropped at the end, also on failure.
 *
 * Three ratios close the output: ours ÷ schema ceiling, schema ceiling ÷ minimal pgbench, and last,
 * as always, `ratio <authentications/s at 50 connections ÷ minimal pgbench TPS>`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { SendSmsJob } from '@twofold/delivery/contracts';
import { seedHistory } from '@twofold/hot-path';
import { SecretBox } from '@twofold/platform/crypto';
import { ADMIN_URL, APP_ROLE } from '@twofold/platform/testing';
import {
  admin,
  buildIfStale,
  cpuSeconds,
  createBenchDatabase,
  dbUrl,
  dropDatabase,
  dropStaleBenchDatabases,
  newStamp,
  note,
  nowMs,
  out,
  REDIS_URL,
  ROOT,
  rssMb,
  run,
  sleep,
} from './common';
import { codeAad } from '@twofold/secrets/contracts';
import {
  buildHotPathScript,
  copyUsers,
  parameterTypes,
  shapeOf,
  TracedAuthentication,
  TracedStatement,
} from './hot-path-pgbench';
import {
  scriptRuns,
  enableStatements,
  statementLines,
  StatementRow,
  StatementSnapshot,
  statementSnapshot,
  statementWindow,
} from './pg-statements';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/**
 * The seeding ends with a CHECKPOINT, and after a checkpoint the first write of each page puts the
 * whole page in the WAL. Traffic pays that once per page per checkpoint interval (minutes); right
 * after the seeding it is paid for every user's index pages in the first seconds at once. The
 * history phase warms up past that burst before its window opens.
 */
const HISTORY_WARMUP_SECONDS = Number(process.env.BENCH_HISTORY_WARMUP_SECONDS ?? 20);
const USERS = Number(process.env.BENCH_USERS ?? 2000);
const PORT = Number(process.env.BENCH_PORT ?? 3950);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);
const HTTP_PROCESSES = Number(process.env.BENCH_HTTP_PROCESSES ?? 2);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 1_000_000);
const CODE_TIMEOUT_MS = 5_000;
/** pg_stat_statements.track_planning for the bench database: plan times, at a small cost of their own. */
const TRACK_PLANNING = process.env.BENCH_TRACK_PLANNING !== '0';

const stamp = newStamp();
const DB_NAME = `twofold_bench_${stamp}`;
const PGBENCH_DB = `twofold_bench_${stamp}_pgbench`;
const QUEUE_PREFIX = `{bench-${stamp}}`;
const KEY_ID = 'bench';
const KEY = randomBytes(32);
const OPERATOR_KEY = `op_${randomBytes(24).toString('hex')}`;

// --- databases --------------------------------------------------------------------------------

function startService(): { child: ChildProcess; stderr: () => string } {
  let stderr = '';
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'bench/count-queries.js'), join(ROOT, 'dist/apps/auth-provider/src/main.js')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: String(PORT),
        HOST: '127.0.0.1',
        DATABASE_URL: dbUrl(DB_NAME, APP_ROLE),
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        HTTP_PROCESSES: String(HTTP_PROCESSES),
        REDIS_URL,
        QUEUE_PREFIX,
        OPERATOR_API_KEY: OPERATOR_KEY,
        SECRETS_KEYS: `${KEY_ID}:${KEY.toString('base64')}`,
        SECRETS_ACTIVE_KEY_ID: KEY_ID,
        LOG_LEVEL: 'warn',
        AUTH_SWEEP_INTERVAL_SECONDS: '0',
        // The velocity caps against SMS pumping (docs/decisions/0019) stay on and cost what they
        // cost, but at limits a benchmark's thousands of sends to one country and prefix never reach.
        SMS_VELOCITY_DEFAULT_PER_HOUR: '1000000',
        SMS_VELOCITY_MAX_PER_HOUR: '1000000',
        SMS_PREFIX_BURST_NUMBERS: '1000000',
        // docs/decisions/0029: the tenant part of the start context (0 reads it every time, as before).
        ...(process.env.TENANT_SETTINGS_CACHE_MS
          ? { TENANT_SETTINGS_CACHE_MS: process.env.TENANT_SETTINGS_CACHE_MS }
          : {}),
      },
    },
  );
  // Logs (stdout) and stderr are kept, not shown: printed when the service fails.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping.has(child)) console.error(`the service exited early (${code ?? signal}):\n${stderr.slice(-4000)}`);
  });
  return { child, stderr: () => stderr };
}

const stopping = new Set<ChildProcess>();

async function stopService(child: ChildProcess): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) child.kill('SIGKILL');
}

/** The child's SQL statement counts so far, by first keyword, and its CPU time (bench/count-queries.js, over IPC). */
function queryCounts(
  child: ChildProcess,
): Promise<Record<string, number> & { cpuMicros: number; systemMicros: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service did not report its query counts')), 2_000);
    const onMessage = (m: {
      queryCounts?: Record<string, number>;
      redisCounts?: Record<string, number>;
      cpuMicros?: number;
      systemMicros?: number;
    }) => {
      if (!m?.queryCounts) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      // Redis commands join the SQL verbs under a `redis:` prefix.
      const redis = Object.fromEntries(Object.entries(m.redisCounts ?? {}).map(([name, n]) => [`redis:${name}`, n]));
      resolve({ ...m.queryCounts, ...redis, cpuMicros: m.cpuMicros ?? 0, systemMicros: m.systemMicros ?? 0 });
    };
    child.on('message', onMessage);
    child.send('query-counts');
  });
}

function stopProfile(child: ChildProcess, file: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(), 10_000);
    const onMessage = (m: { profileWritten?: string | null }) => {
      if (!m || !('profileWritten' in m)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      note(
        m.profileWritten ? `CPU profile of the phases: ${m.profileWritten}` : 'the CPU profile could not be written',
      );
      resolve();
    };
    child.on('message', onMessage);
    child.send({ profileStopTo: file });
  });
}

// --- CPU --------------------------------------------------------------------------------------

/** Busy CPU time of the whole machine so far, in seconds: /proc/stat without idle and iowait. */
function machineCpuSeconds(): number {
  const [user, nice, system, , , irq, softirq, steal = 0] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** What a meter reads its figures from. */
interface Meter {
  /** The service: its primary process and (HTTP_PROCESSES > 1) the cluster workers under it. */
  child: ChildProcess;
  /** Superuser on the admin database: finds the PostgreSQL processes to meter. */
  pg: Client;
  /** Superuser on the bench database, where pg_stat_statements is readable; null when it is not. */
  stats: Client | null;
  statsPid: number | null;
  /** redis-server's pid (INFO server), when /proc shows it. */
  redisPid: number | null;
}

/** What a window watches besides the service, Redis and this process. */
interface Watch {
  /** PostgreSQL backends connected to these databases (and with this application_name) are metered. */
  databases: string[];
  applicationName?: string;
  /** pg_stat_statements entries of this role in these databases. */
  role: string;
  /** A client process to meter as well (pgbench). */
  clientPid?: number;
}

interface CpuSnapshot {
  machine: number;
  /** Service processes, by pid. */
  service: Map<number, number>;
  /** PostgreSQL backends serving the watched databases, by pid. */
  backends: Map<number, number>;
  /** WAL writer, checkpointer, background writer (the whole cluster's), by pid. */
  background: Map<number, number>;
  redis: number | null;
  bench: number;
  client: number | null;
  statements: StatementSnapshot | null;
  /** Shared buffers the watched databases' backends found (hit) or had to read in (read), so far. */
  blocks: { hit: number; read: number };
  /** WAL written by the whole cluster so far (pg_stat_wal): full-page images and bytes. */
  wal: { fpi: number; bytes: number };
}

/** Seconds of CPU between two snapshots: the machine, and each part this bench can name. */
interface CpuWindow {
  machine: number;
  service: number;
  serviceProcesses: number;
  /** Each service process's seconds, the primary first. */
  serviceByPid: [number, number][];
  backends: number;
  backendCount: number;
  background: number;
  redis: number | null;
  bench: number;
  client: number | null;
  statements: StatementRow[] | null;
  blocks: { hit: number; read: number };
  wal: { fpi: number; bytes: number };
}

/** CPU seconds of each pid that /proc still shows (a process that is gone is left out). */
function cpuOf(pids: number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      seconds.set(pid, cpuSeconds(pid));
    } catch {
      // the process is gone, or runs where /proc does not show it
    }
  }
  return seconds;
}

function tryCpu(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    return cpuSeconds(pid);
  } catch {
    return null;
  }
}

/**
 * Every figure is read from the kernel's per-process counters (/proc/<pid>/stat: utime + stime, in
 * 10 ms ticks) except this process's own (process.cpuUsage) and the machine's (/proc/stat). At the
 * end of a window the pids of its start are read again (`from`), so a process that started inside
 * the window is not counted with its whole past.
 */
async function cpuSnapshot(meter: Meter, watch: Watch, from?: CpuSnapshot): Promise<CpuSnapshot> {
  let backendPids = from ? [...from.backends.keys()] : undefined;
  let backgroundPids = from ? [...from.background.keys()] : undefined;
  if (!backendPids || !backgroundPids) {
    const { rows } = await meter.pg.query<{ pid: number; background: boolean }>(
      `SELECT pid, backend_type <> 'client backend' AS background FROM pg_stat_activity
        WHERE (datname = ANY($1) AND backend_type = 'client backend' AND pid <> $2
               AND ($3::text IS NULL OR application_name = $3))
           OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
      [watch.databases, meter.statsPid ?? 0, watch.applicationName ?? null],
    );
    backendPids = rows.filter((r) => !r.background).map((r) => r.pid);
    backgroundPids = rows.filter((r) => r.background).map((r) => r.pid);
  }
  const servicePids = from ? [...from.service.keys()] : [meter.child.pid as number, ...descendants(meter.child.pid)];
  const machine = machineCpuSeconds();
  const own = process.cpuUsage();
  const snapshot = {
    machine,
    service: cpuOf(servicePids),
    backends: cpuOf(backendPids),
    background: cpuOf(backgroundPids),
    redis: tryCpu(meter.redisPid),
    bench: (own.user + own.system) / 1e6,
    client: tryCpu(watch.clientPid),
  };
  const statements = meter.stats ? await statementSnapshot(meter.stats, watch.databases, watch.role) : null;
  const { rows } = await meter.pg.query<{ hit: string; read: string }>(
    'SELECT sum(blks_hit) AS hit, sum(blks_read) AS read FROM pg_stat_database WHERE datname = ANY($1)',
    [watch.databases],
  );
  const blocks = { hit: Number(rows[0]?.hit ?? 0), read: Number(rows[0]?.read ?? 0) };
  const walRow = (
    await meter.pg.query<{ fpi: string; bytes: string }>('SELECT wal_fpi AS fpi, wal_bytes AS bytes FROM pg_stat_wal')
  ).rows[0];
  const wal = { fpi: Number(walRow?.fpi ?? 0), bytes: Number(walRow?.bytes ?? 0) };
  return { ...snapshot, statements, blocks, wal };
}

/** Children of `pid`, their children, and so on (/proc/<pid>/task/<tid>/children). */
function descendants(pid: number | undefined): number[] {
  if (!pid) return [];
  const found: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/).map(Number) : []) found.push(child, ...descendants(child));
    }
  } catch {
    // gone, or no /proc
  }
  return found;
}

function sumDelta(a: Map<number, number>, b: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of b) total += seconds - (a.get(pid) ?? seconds);
  return total;
}

function cpuWindow(a: CpuSnapshot, b: CpuSnapshot): CpuWindow {
  return {
    machine: b.machine - a.machine,
    service: sumDelta(a.service, b.service),
    serviceProcesses: a.service.size,
    serviceByPid: [...b.service].map(([pid, seconds]) => [pid, seconds - (a.service.get(pid) ?? seconds)]),
    backends: sumDelta(a.backends, b.backends),
    backendCount: a.backends.size,
    background: sumDelta(a.background, b.background),
    redis: a.redis !== null && b.redis !== null ? b.redis - a.redis : null,
    bench: b.bench - a.bench,
    client: a.client !== null && b.client !== null ? b.client - a.client : null,
    statements: a.statements && b.statements ? statementWindow(a.statements, b.statements) : null,
    blocks: { hit: b.blocks.hit - a.blocks.hit, read: b.blocks.read - a.blocks.read },
    wal: { fpi: b.wal.fpi - a.wal.fpi, bytes: b.wal.bytes - a.wal.bytes },
  };
}

/**
 * CPU milliseconds per `unit` (an authentication, a pgbench transaction) by process, and how each is
 * measured; then the per-statement table of the window.
 */
function reportWindow(name: string, w: CpuWindow, units: number, unit: string, clientName = 'bench client'): void {
  const per = (seconds: number) => ((seconds * 1000) / units).toFixed(2);
  const named = w.service + w.backends + w.background + (w.redis ?? 0) + w.bench + (w.client ?? 0);
  out(`cpu_ms_per_${unit}_${name}_service`, per(w.service));
  out(`cpu_ms_per_${unit}_${name}_postgres_backends`, per(w.backends));
  out(`cpu_ms_per_${unit}_${name}_postgres_background`, per(w.background));
  out(`cpu_ms_per_${unit}_${name}_redis`, w.redis === null ? 'n/a' : per(w.redis));
  out(`cpu_ms_per_${unit}_${name}_${clientName.replace(/\W+/g, '_')}`, per(w.client ?? w.bench));
  if (w.client !== null) out(`cpu_ms_per_${unit}_${name}_bench_process`, per(w.bench));
  out(`cpu_ms_per_${unit}_${name}_rest_of_machine`, per(w.machine - named));
  if (w.serviceByPid.length > 1)
    note(
      `${name} service CPU ms per ${unit} by process: ` +
        w.serviceByPid.map(([pid, sec], i) => `${i === 0 ? 'primary' : 'worker'} ${pid} ${per(sec)}`).join(', '),
    );
  note(
    `${name} CPU per ${unit}, how measured: service = /proc/<pid>/stat utime+stime of the primary and its ` +
      `${w.serviceProcesses - 1} worker(s); postgres_backends = the same for the ${w.backendCount} backend(s) ` +
      `serving the ${w.client === null ? "service's pools" : 'pgbench connections'} (pg_stat_activity ` +
      `at the window's start); postgres_background = WAL writer, checkpointer, background writer (whole cluster); ` +
      `redis = redis-server (pid from INFO)${w.redis === null ? ', not visible in /proc here' : ''}; ` +
      (w.client !== null
        ? `${clientName} = pgbench's /proc/<pid>/stat; bench_process = this node process (idle here); `
        : `${clientName} = this node process (process.cpuUsage: HTTP load generator and the fake SMS receiver); `) +
      `rest_of_machine = /proc/stat busy time minus all of these (kernel threads, other work on the machine). ` +
      `/proc counts 10 ms ticks.`,
  );
  if (w.statements) {
    note(
      `${name} PostgreSQL time per statement (pg_stat_statements, this window only, top-level statements of the ` +
        `role in the watched database, by total time):`,
    );
    for (const line of statementLines(w.statements, units, unit === 'authentication' ? 'auth' : 'txn')) note(line);
  }
}

// --- HTTP -------------------------------------------------------------------------------------

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

function call(agent: http.Agent, method: string, path: string, key: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port: PORT,
        method,
        path,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function expectStatus(reply: Promise<Reply>, status: number, what: string): Promise<Reply> {
  const r = await reply;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

async function waitReady(child: ChildProcess, stderr: () => string): Promise<void> {
  const agent = new http.Agent();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${stderr().slice(-4000)}`);
    const r = await call(agent, 'GET', '/health/ready', '').catch(() => null);
    if (r?.status === 200) return agent.destroy();
    await sleep(200);
  }
  throw new Error(`the service was not ready within 60 s:\n${stderr().slice(-4000)}`);
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
async function forEachLimit<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

// --- fake SMS receiver ------------------------------------------------------------------------

class SmsInbox {
  private readonly codes = new Map<string, string>();
  private readonly waiters = new Map<string, (code: string) => void>();
  private readonly box = new SecretBox(new Map([[KEY_ID, KEY]]), KEY_ID);
  private readonly connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  readonly worker: Worker;
  received = 0;

  constructor() {
    this.worker = new Worker(
      'delivery.sms',
      async (job: Job<SendSmsJob>) => {
        const d = job.data;
        const code = this.box
          .open(d.code.keyId, Buffer.from(d.code.ciphertext, 'base64'), codeAad(d.tenantId, d.messageId))
          .toString('utf8');
        this.deliver(d.authenticationId, code);
      },
      {
        connection: this.connection,
        prefix: QUEUE_PREFIX,
        concurrency: 200,
        removeOnComplete: { count: 0 },
      },
    );
  }

  private deliver(authenticationId: string, code: string): void {
    this.received++;
    const waiter = this.waiters.get(authenticationId);
    if (waiter) {
      this.waiters.delete(authenticationId);
      waiter(code);
    } else this.codes.set(authenticationId, code);
  }

  codeFor(authenticationId: string): Promise<string> {
    const code = this.codes.get(authenticationId);
    if (code !== undefined) {
      this.codes.delete(authenticationId);
      return Promise.resolve(code);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(authenticationId);
        reject(new Error(`no SMS job within ${CODE_TIMEOUT_MS} ms`));
      }, CODE_TIMEOUT_MS);
      this.waiters.set(authenticationId, (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.connection.quit();
  }
}

// --- load -------------------------------------------------------------------------------------

interface Seed {
  tenantId: string;
  providerId: string;
  apiKey: string;
  userIds: string[];
}

async function seed(agent: http.Agent): Promise<Seed> {
  const tenant = await expectStatus(
    call(agent, 'POST', '/v1/tenants', OPERATOR_KEY, { name: 'Bench', dataRegion: 'us' }),
    201,
    'POST /v1/tenants',
  );
  const apiKey = tenant.body.apiKey as string;
  const provider = await expectStatus(
    call(agent, 'POST', '/v1/providers', apiKey, { name: 'Bench MFA', billingModel: 'per_authentication' }),
    201,
    'POST /v1/providers',
  );
  const users = Array.from({ length: USERS }, (_, i) => ({ userName: `bench-${i}@bench.example`, mfaEnabled: true }));
  const bulk = await expectStatus(call(agent, 'POST', '/v1/users/bulk', apiKey, { users }), 200, 'POST /v1/users/bulk');
  const userIds = (bulk.body.results as { id?: string }[]).flatMap((r) => (r.id ? [r.id] : []));
  if (userIds.length !== USERS) throw new Error(`bulk creation made ${userIds.length} of ${USERS} users`);
  await forEachLimit(
    userIds.map((id, i) => ({ id, i })),
    16,
    async ({ id, i }) => {
      const phoneNumber = `+1425555${String(i % 10_000).padStart(4, '0')}`;
      await expectStatus(
        call(agent, 'POST', `/v1/users/${id}/methods`, apiKey, { method: 'sms', phoneNumber }),
        201,
        'POST /v1/users/{id}/methods',
      );
    },
  );
  return { tenantId: tenant.body.id as string, providerId: provider.body.id as string, apiKey, userIds };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

interface PhaseResult {
  perSecond: number;
  started: number;
  completed: number;
  errors: number;
  errorSamples: Map<string, number>;
  total: number[];
  start: number[];
  codeWait: number[];
  verify: number[];
  /** CPU used in the measured window, when the phase was given a meter. */
  cpu?: CpuWindow;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const sortNum = (a: number[]) => [...a].sort((x, y) => x - y);
const ms = (v: number) => v.toFixed(1);

/**
 * `concurrency` connections loop start → code → verify; figures count what ends in the measured window,
 * and so does the CPU, snapshotted when the window opens and closes.
 */
async function phase(
  s: Seed,
  inbox: SmsInbox,
  concurrency: number,
  meter?: Meter,
  warmupSeconds = WARMUP_SECONDS,
): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const t0 = nowMs();
  const measureFrom = t0 + warmupSeconds * 1000;
  const end = measureFrom + SECONDS * 1000;
  const watch: Watch = { databases: [DB_NAME], role: APP_ROLE };
  const cpuFrom = meter ? sleep(measureFrom - nowMs()).then(() => cpuSnapshot(meter, watch)) : undefined;
  cpuFrom?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  const cpuTo =
    meter && cpuFrom ? sleep(end - nowMs()).then(async () => cpuSnapshot(meter, watch, await cpuFrom)) : undefined;
  cpuTo?.catch(() => undefined);
  const r: PhaseResult = {
    perSecond: 0,
    started: 0,
    completed: 0,
    errors: 0,
    errorSamples: new Map(),
    total: [],
    start: [],
    codeWait: [],
    verify: [],
  };
  let nextUser = 0;
  const fail = (what: string) => {
    r.errors++;
    r.errorSamples.set(what, (r.errorSamples.get(what) ?? 0) + 1);
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < end) {
        const userId = s.userIds[nextUser++ % s.userIds.length];
        const a = nowMs();
        try {
          const started = await call(agent, 'POST', '/v1/authentications', s.apiKey, { userId, method: 'sms' });
          const b = nowMs();
          if (started.status !== 201) {
            if (b >= measureFrom) fail(`start ${started.status} ${started.body?.code ?? ''}`);
            continue;
          }
          const id = started.body.id as string;
          const code = await inbox.codeFor(id);
          const c = nowMs();
          const verified = await call(agent, 'POST', `/v1/authentications/${id}/verify`, s.apiKey, { code });
          const d = nowMs();
          if (d < measureFrom) continue;
          if (verified.status !== 200 || verified.body?.status !== 'approved') {
            fail(`verify ${verified.status} ${verified.body?.status ?? verified.body?.code ?? ''}`);
            continue;
          }
          if (d > end) continue;
          r.completed++;
          r.total.push(d - a);
          r.start.push(b - a);
          r.codeWait.push(c - b);
          r.verify.push(d - c);
        } catch (error) {
          if (nowMs() >= measureFrom) fail((error as Error).message);
        }
      }
    }),
  );
  agent.destroy();
  r.started = nextUser;
  r.perSecond = r.completed / SECONDS;
  if (cpuFrom && cpuTo) r.cpu = cpuWindow(await cpuFrom, await cpuTo);
  return r;
}

/** CPU milliseconds per authentication completed in the window. */
const perAuth = (seconds: number, r: PhaseResult) => (seconds * 1000) / r.completed;

/** `name` labels the figures: c8, c50, c50_history. */
function report(name: string, r: PhaseResult): void {
  const total = sortNum(r.total);
  out(`auth_per_second_${name}`, r.perSecond.toFixed(0));
  out(`p50_ms_${name}`, ms(percentile(total, 50)));
  out(`p99_ms_${name}`, ms(percentile(total, 99)));
  out(`errors_${name}`, r.errors);
  note(
    `${name} parts p50/p99 ms: start ${ms(percentile(sortNum(r.start), 50))}/${ms(percentile(sortNum(r.start), 99))}` +
      `, code via queue ${ms(percentile(sortNum(r.codeWait), 50))}/${ms(percentile(sortNum(r.codeWait), 99))}` +
      `, verify ${ms(percentile(sortNum(r.verify), 50))}/${ms(percentile(sortNum(r.verify), 99))}` +
      ` (${r.completed} authentications in ${SECONDS} s)`,
  );
  if (r.cpu) {
    out(`machine_cpu_ms_per_authentication_${name}`, perAuth(r.cpu.machine, r).toFixed(2));
    reportWindow(name, r.cpu, r.completed, 'authentication');
    // Reads are pages PostgreSQL had to bring into shared_buffers: a working set that outgrew them.
    note(
      `${name} shared buffers per authentication: hit ${(r.cpu.blocks.hit / r.completed).toFixed(1)}, ` +
        `read ${(r.cpu.blocks.read / r.completed).toFixed(1)} (pg_stat_database; backends report about once a second); ` +
        `WAL ${(r.cpu.wal.bytes / 1024 / r.completed).toFixed(1)} kB with ${(r.cpu.wal.fpi / r.completed).toFixed(2)} ` +
        `full-page images (pg_stat_wal, the whole cluster)`,
    );
  }
  for (const [what, n] of r.errorSamples) note(`${name} error x${n}: ${what}`);
  if (r.started > USERS * 5 * 0.9)
    note(`${name}: ${r.started} starts came close to the R13 budget of ${USERS * 5}: raise BENCH_USERS`);
}

/** A handful of sequential authentications, with the SQL statements they cost (BEGIN/COMMIT = transactions). */
async function probe(s: Seed, inbox: SmsInbox, child: ChildProcess): Promise<void> {
  const n = 50;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const before = await queryCounts(child);
  const startMs: number[] = [];
  const verifyMs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    const userId = s.userIds[i];
    const started = await expectStatus(
      call(agent, 'POST', '/v1/authentications', s.apiKey, { userId, method: 'sms' }),
      201,
      'probe start',
    );
    startMs.push(nowMs() - t0);
    const code = await inbox.codeFor(started.body.id as string);
    const t1 = nowMs();
    await expectStatus(
      call(agent, 'POST', `/v1/authentications/${started.body.id}/verify`, s.apiKey, { code }),
      200,
      'probe verify',
    );
    verifyMs.push(nowMs() - t1);
  }
  const after = await queryCounts(child);
  agent.destroy();
  // CPU of the service alone (not Postgres, Redis or this process): a figure that load elsewhere barely moves.
  out('service_cpu_ms_per_authentication', ((after.cpuMicros - before.cpuMicros) / 1000 / n).toFixed(2));
  note(`of which kernel (system) time: ${((after.systemMicros - before.systemMicros) / 1000 / n).toFixed(2)} ms`);
  note(
    `one connection, one at a time: start p50 ${ms(percentile(sortNum(startMs), 50))} ms, ` +
      `verify p50 ${ms(percentile(sortNum(verifyMs), 50))} ms`,
  );
  const per = Object.entries(after)
    .filter(([verb]) => verb !== 'cpuMicros' && verb !== 'systemMicros')
    .map(([verb, count]) => [verb, (count - (before[verb] ?? 0)) / n] as const)
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1]);
  const sql = per.filter(([verb]) => !verb.startsWith('redis:'));
  const statements = sql.reduce((sum, [, v]) => sum + v, 0);
  out('sql_statements_per_authentication', statements.toFixed(1));
  note(`by verb: ${sql.map(([verb, v]) => `${verb} ${v.toFixed(1)}`).join(', ')}`);
  const redis = per.filter(([name]) => name.startsWith('redis:') && name !== 'redis:(pipeline)');
  out('redis_commands_per_authentication', redis.reduce((sum, [, v]) => sum + v, 0).toFixed(1));
  note(
    `by command (service and BullMQ clients; ${(per.find(([name]) => name === 'redis:(pipeline)')?.[1] ?? 0).toFixed(1)} pipelines): ` +
      redis.map(([name, v]) => `${name.slice('redis:'.length)} ${v.toFixed(1)}`).join(', '),
  );
}

/** CPU per authentication with history ÷ without: the whole machine, and the service + PostgreSQL. */
function historyCost(base: PhaseResult, history: PhaseResult): { machine: number; serviceAndPostgres: number } {
  const b = base.cpu as CpuWindow;
  const h = history.cpu as CpuWindow;
  return {
    machine: perAuth(h.machine, history) / perAuth(b.machine, base),
    serviceAndPostgres:
      perAuth(h.service + h.backends + h.background, history) / perAuth(b.service + b.backends + b.background, base),
  };
}

// --- pgbench and TOTP -------------------------------------------------------------------------

interface PgbenchResult {
  tps: number;
  latencyMs: number | null;
  /** Runs of the script in the metered window (from pg_stat_statements, or tps × window without it). */
  windowRuns: number;
  cpu: CpuWindow;
}

/**
 * pgbench at 50 connections for BENCH_SECONDS. CPU and statements are metered over a window inside
 * the run (from 1 s after its start to 0.5 s before its end), once every connection is open and
 * before they close, so backend start-up and exit are not in the figures.
 */
async function runPgbench(
  meter: Meter,
  o: {
    database: string;
    user: string;
    password?: string;
    scriptFile: string;
    defines?: Record<string, string>;
    prepared?: boolean;
    /** Statements per run of the script other than BEGIN, COMMIT, SET (to count runs from pg_stat_statements). */
    statementsPerRun: number;
  },
): Promise<PgbenchResult> {
  const u = new URL(ADMIN_URL);
  const args = [
    '-n',
    ...['-c', '50', '-j', '2', '-T', String(SECONDS)],
    ...(o.prepared ? ['-M', 'prepared'] : []),
    ...Object.entries(o.defines ?? {}).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    ...['-f', o.scriptFile, '-h', u.hostname, '-p', u.port || '5432', '-U', o.user, o.database],
  ];
  const started = nowMs();
  const pgbench = spawn('pgbench', args, {
    env: { ...process.env, ...(o.password ? { PGPASSWORD: o.password } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  pgbench.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  pgbench.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-20_000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    pgbench.once('error', reject);
    pgbench.once('exit', (code) => resolve(code));
  });
  const openAt = SECONDS >= 4 ? 1 : SECONDS * 0.2;
  const closeAt = SECONDS - (SECONDS >= 4 ? 0.5 : SECONDS * 0.1);
  const watch: Watch = { databases: [o.database], applicationName: 'pgbench', role: o.user, clientPid: pgbench.pid };
  await sleep(started + openAt * 1000 - nowMs());
  const from = pgbench.exitCode === null ? await cpuSnapshot(meter, watch) : null;
  await sleep(started + closeAt * 1000 - nowMs());
  const to = from && pgbench.exitCode === null ? await cpuSnapshot(meter, watch, from) : null;
  const code = await exited;
  if (code !== 0 || !from || !to) throw new Error(`pgbench failed (${code}):\n${stderr.slice(-4000)}\n${stdout}`);
  const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`no tps in the pgbench output:\n${stdout}\n${stderr.slice(-4000)}`);
  if (Number(failed ?? 0) > 0) note(`pgbench: ${failed} failed transactions`);
  const cpu = cpuWindow(from, to);
  const counted = cpu.statements ? scriptRuns(cpu.statements, o.statementsPerRun) : 0;
  const windowRuns = counted > 0 ? counted : Number(tps) * (closeAt - openAt);
  return { tps: Number(tps), latencyMs: latency ? Number(latency) : null, windowRuns, cpu };
}

/** bench/auth-equivalent.sql on a scratch database: the minimum raw SQL of one authentication. */
async function pgbenchMinimal(meter: Meter): Promise<number> {
  await admin((c) => c.query(`CREATE DATABASE "${PGBENCH_DB}"`));
  await admin(async (c) => {
    await c.query(`CREATE TABLE auth_records (id uuid DEFAULT gen_random_uuid() PRIMARY KEY, tenant_id uuid, payload text);
      CREATE TABLE tenant_counters (tenant_id uuid PRIMARY KEY, n bigint NOT NULL DEFAULT 0);
      INSERT INTO tenant_counters (tenant_id, n)
        SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 0 FROM generate_series(1, 100) i;`);
  }, PGBENCH_DB);
  const u = new URL(ADMIN_URL);
  const r = await runPgbench(meter, {
    database: PGBENCH_DB,
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    scriptFile: join(ROOT, 'bench/auth-equivalent.sql'),
    statementsPerRun: 2, // the INSERT and the UPDATE
  });
  if (r.latencyMs !== null) note(`pgbench latency average ${r.latencyMs} ms at 50 connections`);
  reportWindow('pgbench_minimal', r.cpu, r.windowRuns, 'txn', 'pgbench');
  return r.tps;
}

/**
 * Records the statements of one authentication (start, then verify) for user `index`, as the
 * service sends them (bench/count-queries.js).
 */
async function traceAuthentication(
  s: Seed,
  inbox: SmsInbox,
  child: ChildProcess,
  index: number,
): Promise<TracedAuthentication> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  child.send('trace-start');
  await sleep(200); // the workers start tracing
  const userId = s.userIds[index % s.userIds.length];
  const started = await expectStatus(
    call(agent, 'POST', '/v1/authentications', s.apiKey, { userId, method: 'sms' }),
    201,
    'trace start',
  );
  const code = await inbox.codeFor(started.body.id as string);
  await expectStatus(
    call(agent, 'POST', `/v1/authentications/${started.body.id}/verify`, s.apiKey, { code }),
    200,
    'trace verify',
  );
  agent.destroy();
  const statements = await new Promise<TracedStatement[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service did not send its statement trace')), 5_000);
    const onMessage = (m: { trace?: TracedStatement[] }) => {
      if (!m?.trace) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.trace);
    };
    child.on('message', onMessage);
    child.send('trace-stop');
  });
  return { statements, userId, userName: `bench-${index % s.userIds.length}@bench.example` };
}

/**
 * The schema's ceiling: our own hot-path statements under pgbench (bench/hot-path-pgbench.ts), as
 * the app role on the bench database, with its RLS. Returns authentications per second.
 */
async function pgbenchHotPath(
  meter: Meter,
  dbAdmin: Client,
  s: Seed,
  inbox: SmsInbox,
): Promise<{ tps: number; cleanup: () => Promise<void> }> {
  // Two authentications that sent the same statements. A cold cache or a timer can add one: each HTTP
  // process keeps its own credentials for 1 s, so on a loaded machine consecutive traces often
  // differ by a lookup. Any two traces of the same shape make the pair.
  const TRACES = 16;
  const traced: TracedAuthentication[] = [];
  let pair: [TracedAuthentication, TracedAuthentication] | undefined;
  for (let i = 0; i < TRACES && !pair; i++) {
    const b = await traceAuthentication(s, inbox, meter.child, 50 + i);
    const a = traced.find((t) => shapeOf(t.statements) === shapeOf(b.statements));
    if (a) pair = [a, b];
    traced.push(b);
  }
  if (!pair) throw new Error(`no two of ${TRACES} traced authentications sent the same statements`);
  const [a, b] = pair;
  const types = await parameterTypes(
    dbAdmin,
    a.statements.filter((st) => st.values.length > 0).map((st) => st.text),
  );
  const users = await copyUsers(dbAdmin, s.tenantId, USERS);
  const built = buildHotPathScript(a, b, types, users);
  const scriptFile = process.env.BENCH_HOT_PATH_SCRIPT ?? join(tmpdir(), `twofold-bench-${stamp}-hot-path.sql`);
  writeFileSync(scriptFile, built.script);
  const cleanup = async () => {
    if (!process.env.BENCH_HOT_PATH_SCRIPT) rmSync(scriptFile, { force: true });
  };
  note(
    `schema ceiling: pgbench -M prepared runs the ${built.statements} statements the service sent for one ` +
      `authentication (start + verify) in ${built.roundTrips} round trips, as ${APP_ROLE} with RLS, over ` +
      `${users} copies of the seeded users; script ${scriptFile}` +
      (process.env.BENCH_HOT_PATH_SCRIPT ? '' : ' (removed at the end; BENCH_HOT_PATH_SCRIPT=<file> keeps it)'),
  );
  try {
    const r = await runPgbench(meter, {
      database: DB_NAME,
      user: APP_ROLE,
      password: process.env.TEST_APP_DB_PASSWORD || undefined,
      scriptFile,
      defines: built.defines,
      prepared: true,
      statementsPerRun: built.dataStatements,
    });
    if (r.latencyMs !== null)
      note(`schema ceiling latency average ${r.latencyMs} ms per authentication at 50 connections`);
    reportWindow('schema_ceiling', r.cpu, r.windowRuns, 'authentication', 'pgbench');
    return { tps: r.tps, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** redis-server's pid, when this machine's /proc shows that very process (not one in a container). */
async function redisServerPid(redis: Redis): Promise<number | null> {
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? NaN);
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').includes('redis') ? pid : null;
  } catch {
    return null;
  }
}

async function totpPerSecond(): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    [join(ROOT, 'bench/run-ts.js'), join(ROOT, 'bench/otp.bench.ts'), '5'],
    {
      cwd: ROOT,
    },
  );
  const n = /totp_verifications_per_second (\d+)/.exec(stdout)?.[1];
  if (!n) throw new Error(`no figure from bench/otp.bench.ts:\n${stdout}`);
  return Number(n);
}

// --- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await buildIfStale();
  await dropStaleBenchDatabases();
  const cleanups: (() => Promise<unknown>)[] = [];
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanups.push(() => redis.quit());
  let failed = false;
  try {
    // In-process TOTP first, while nothing else runs on the machine.
    const totp = await totpPerSecond();

    await createBenchDatabase(DB_NAME);
    cleanups.push(() => dropDatabase(DB_NAME));
    cleanups.push(() => deleteKeys(redis, `${QUEUE_PREFIX}:*`));

    // A superuser on the bench database: pg_stat_statements (created here, before the service
    // connects, so its sessions get track_planning), parameter types, the pgbench users' copies.
    const dbAdmin = new Client({ connectionString: dbUrl(DB_NAME), application_name: 'twofold-bench-admin' });
    await dbAdmin.connect();
    cleanups.push(() => dbAdmin.end());
    const statements = await enableStatements(dbAdmin, DB_NAME, TRACK_PLANNING);
    if (!statements.ok) note(statements.hint);

    const { child, stderr } = startService();
    cleanups.push(() => stopService(child));
    await waitReady(child, stderr);
    const pid = child.pid as number;
    const rssBefore = rssMb(pid);

    const seedAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const seedStarted = Date.now();
    const s = await seed(seedAgent);
    seedAgent.destroy();
    cleanups.push(() => deleteKeys(redis, `rl:sends:{${s.tenantId}:*`));
    cleanups.push(() => deleteKeys(redis, `lockout:verify:{${s.tenantId}:*`));
    cleanups.push(() => deleteKeys(redis, `vel:{${s.tenantId}}:*`));
    note(`seeded 1 tenant, 1 provider, ${s.userIds.length} users with sms in ${Date.now() - seedStarted} ms`);
    note(`service: ${HTTP_PROCESSES} HTTP process(es), pool ${POOL_SIZE} connections each`);

    const inbox = new SmsInbox();
    cleanups.push(() => inbox.close());

    // Finds the PostgreSQL processes to meter; on the admin database, so its own backend is not one of them.
    const pg = new Client({ connectionString: ADMIN_URL });
    await pg.connect();
    cleanups.push(() => pg.end());
    const meter: Meter = {
      child,
      pg,
      stats: statements.ok ? dbAdmin : null,
      statsPid: (await dbAdmin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid,
      redisPid: await redisServerPid(redis),
    };

    const results = new Map<number, PhaseResult>();
    if (process.env.BENCH_CPU_PROF) child.send('profile-start');
    for (const c of [8, 50]) {
      // R13 allows 5 sends per user per 5 minutes: the limiter's keys are flushed before each phase.
      const flushed = await deleteKeys(redis, `rl:sends:{${s.tenantId}:*`);
      note(`c${c}: flushed ${flushed} R13 send-limit keys before the phase (benchmark only)`);
      results.set(c, await phase(s, inbox, c, meter));
      report(`c${c}`, results.get(c) as PhaseResult);
    }
    const rssAfter = rssMb(pid);
    await deleteKeys(redis, `rl:sends:{${s.tenantId}:*`);
    await probe(s, inbox, child);
    if (process.env.BENCH_CPU_PROF)
      await stopProfile(child, join(process.env.BENCH_CPU_PROF, 'auth-provider.cpuprofile'));

    // The schema's ceiling, before the history is seeded: the same database as the c50 phase.
    await deleteKeys(redis, `rl:sends:{${s.tenantId}:*`);
    const ceiling = await pgbenchHotPath(meter, dbAdmin, s, inbox);
    cleanups.push(ceiling.cleanup);

    let history: PhaseResult | undefined;
    if (HISTORY > 0) {
      // Issue 21: the same c50 phase once the tenant carries a big tenant's year of history.
      const seeded = await admin(
        (c) =>
          seedHistory(c, {
            tenantId: s.tenantId,
            providerId: s.providerId,
            count: HISTORY,
            userIds: s.userIds,
            months: 12,
          }),
        DB_NAME,
      );
      const checkpointStarted = nowMs();
      // Seeding wrote gigabytes of WAL: the checkpoint it calls for runs now, not during the phase.
      await admin((c) => c.query('CHECKPOINT'));
      out('history_seed_seconds', (seeded.ms / 1000).toFixed(1));
      note(
        `seeded ${HISTORY} prior authentications, each with its record, usage row and message, over ` +
          `${s.userIds.length} users and 12 months; ms: ${Object.entries(seeded.steps)
            .map(([step, took]) => `${step} ${took}`)
            .join(', ')}; then CHECKPOINT ${(nowMs() - checkpointStarted).toFixed(0)}`,
      );
      const flushed = await deleteKeys(redis, `rl:sends:{${s.tenantId}:*`);
      note(`c50_history: flushed ${flushed} R13 send-limit keys before the phase (benchmark only)`);
      history = await phase(s, inbox, 50, meter, HISTORY_WARMUP_SECONDS);
      report('c50_history', history);
    }

    const tps = await pgbenchMinimal(meter);
    cleanups.push(() => dropDatabase(PGBENCH_DB));

    out('schema_ceiling_authentications_per_second', ceiling.tps.toFixed(0));
    out('pgbench_tps', tps.toFixed(0));
    out('totp_verifications_per_second', totp);
    out('rss_mb_before', rssBefore.toFixed(0));
    out('rss_mb_after', rssAfter.toFixed(0));
    const base = results.get(50) as PhaseResult;
    const c50 = base.perSecond;
    const p99 = percentile(sortNum(base.total), 99);
    const ratio = c50 / tps;
    const cost = history ? historyCost(base, history) : undefined;
    note(
      `goals: ratio ≥ 0.25 ${ratio >= 0.25 ? 'met' : 'MISSED'}, p99 ≤ 50 ms at c50 ${p99 <= 50 ? 'met' : 'MISSED'}, ` +
        `TOTP ≥ 100,000/s ${totp >= 100_000 ? 'met' : 'MISSED'}` +
        (cost ? `, history_cost_ratio ≤ 1.2 ${cost.machine <= 1.2 ? 'met' : 'MISSED'}` : ''),
    );
    if (cost) {
      note(
        `history_cost_ratio: the whole machine's busy CPU (/proc/stat) per authentication completed in the ` +
          `measured window, c50_history ÷ c50; the service and PostgreSQL alone: ${cost.serviceAndPostgres.toFixed(2)}`,
      );
      out('history_cost_ratio', cost.machine.toFixed(2));
    }
    note(
      'three ratios: ours ÷ schema ceiling = application overhead (1.0 = the service adds nothing to its SQL); ' +
        'schema ceiling ÷ minimal pgbench = schema overhead (1.0 = our statements cost what the minimum does); ' +
        'their product is ratio = ours ÷ minimal pgbench',
    );
    out('ratio_ours_to_schema_ceiling', (c50 / ceiling.tps).toFixed(3));
    out('ratio_schema_ceiling_to_pgbench', (ceiling.tps / tps).toFixed(3));
    out('ratio', ratio.toFixed(2));
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
    }
    // the pgbench database is created inside pgbenchTps: drop it even when that step failed
    await dropDatabase(PGBENCH_DB).catch(() => undefined);
  }
  process.exit(failed ? 1 : 0);
}

void main();

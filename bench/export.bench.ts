/**
 * CSV export of the authentication report through the built reporting service, against
 * PostgreSQL's own `COPY (…) TO STDOUT WITH CSV` of the same rows, in the same run (issue 8).
 *
 *   npm run bench:export          (node bench/run-ts.js bench/export.bench.ts)
 *
 * Optional environment: BENCH_ROWS (1000000), BENCH_PORT (3953).
 *
 * 1. Builds dist/ when a source is newer, clones the migrated template into `twofold_bench_<ts>`,
 *    inserts a tenant, an API key and a provider as the owner (as apps/reporting/test/harness.ts
 *    does) and BENCH_ROWS authentication records with one INSERT … SELECT generate_series.
 * 2. Runs `node dist/apps/reporting/src/main.js` as a child (NODE_ENV=production, its own key).
 * 3. `psql -c "COPY (SELECT <the report's columns> … ORDER BY occurred_at, id) TO STDOUT WITH CSV"`
 *    to /dev/null (once to warm the cache, once measured), then
 *    `GET /v1/reports/authentications?from=…&to=…&format=csv` read to the end, counting bytes and
 *    rows, while the service's RSS is sampled every 100 ms; then COPY once more.
 *    The faster of the two measured COPY runs is the reference.
 *
 * The last line is `ratio <export rows/s ÷ COPY rows/s>` (goal ≥ 0.30, RSS growth < 100 MB).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE } from '@twofold/platform/testing';
import {
  admin,
  buildIfStale,
  createBenchDatabase,
  dbUrl,
  dropDatabase,
  dropStaleBenchDatabases,
  newStamp,
  note,
  nowMs,
  out,
  REDIS_URL,
  rssMb,
  sampleRss,
  seedTenant,
  startChild,
  stopChild,
  waitReady,
} from './common';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PORT = Number(process.env.BENCH_PORT ?? 3953);
const REGION = 'us';

const stamp = newStamp();
const DB_NAME = `twofold_bench_${stamp}`;
const KEY_ID = 'bench';
const KEY = randomBytes(32);

/** The report's SELECT (libs/reporting/data-access report-source.ts), for COPY. */
const copyQuery = (tenantId: string, from: string, to: string) =>
  `COPY (SELECT r.id::text AS "id", r.occurred_at AS "time", r.authentication_id::text AS "authenticationId",
      r.unique_id AS "userName", r.first_name AS "firstName", r.last_name AS "lastName", r.email AS "email",
      r.method::text AS "method", r.result::text AS "result", r.deny_reason AS "denyReason", r.phone AS "phoneNumber",
      r.device_token AS "deviceToken", r.client_ip AS "clientIp", r.server_name AS "serverName", r.server_ip AS "serverIp",
      r.provider_id::text AS "providerId", r.delivery_status::text AS "deliveryStatus", r.data_region::text AS "dataRegion",
      r.correlation_id AS "correlationId"
    FROM authentication_records r
    WHERE r.tenant_id = '${tenantId}'::uuid AND r.data_region = '${REGION}'::data_region
      AND r.occurred_at >= '${from}' AND r.occurred_at < '${to}'
    ORDER BY r.occurred_at, r.id) TO STDOUT WITH (FORMAT csv, HEADER)`.replace(/\s+/g, ' ');

async function seedRecords(tenantId: string, providerId: string): Promise<void> {
  await admin(async (c) => {
    // One row every 1.5 s back from now: 1,000,000 rows span ~17 days (monthly partitions + DEFAULT).
    await c.query(
      `INSERT INTO authentication_records (tenant_id, id, occurred_at, authentication_id, provider_id, unique_id,
         first_name, last_name, email, phone, method, mode, result, deny_reason, server_name, server_ip, client_ip,
         data_region, delivery_status, correlation_id)
       SELECT $1::uuid, gen_random_uuid(), now() - make_interval(secs => i * 1.5), gen_random_uuid(), $2::uuid,
              'user' || (i % 5000) || '@bench.example', 'First' || (i % 5000), 'Last' || (i % 5000),
              'user' || (i % 5000) || '@bench.example', '+1425555' || lpad((i % 10000)::text, 4, '0'),
              'sms'::auth_method, 'sms',
              CASE WHEN i % 10 = 0 THEN 'deny' ELSE 'success' END::authentication_result,
              CASE WHEN i % 10 = 0 THEN 'wrong_code' END,
              'server-' || (i % 4), '10.0.0.' || (i % 4), '203.0.113.' || (i % 250),
              $3::data_region, 'delivered'::message_status, 'corr-' || i
         FROM generate_series(1, $4::int) i`,
      [tenantId, providerId, REGION, ROWS],
    );
    await c.query('VACUUM ANALYZE authentication_records');
  }, DB_NAME);
}

/** `psql -c "COPY …"` with its output to /dev/null; rows are known from the seed (checked by count). */
async function copyRun(sql: string): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  try {
    const started = nowMs();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(DB_NAME), '-c', sql], {
        stdio: ['ignore', devNull, 'pipe'],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr}`))));
    });
    return (nowMs() - started) / 1000;
  } finally {
    closeSync(devNull);
  }
}

interface ExportResult {
  seconds: number;
  firstByteMs: number;
  bytes: number;
  rows: number;
  status: number;
}

function exportRun(apiKey: string, from: string, to: string): Promise<ExportResult> {
  const path = `/v1/reports/authentications?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=csv`;
  return new Promise((resolve, reject) => {
    const started = nowMs();
    let firstByteMs = NaN;
    let bytes = 0;
    let newlines = 0;
    const req = http.get(
      { host: '127.0.0.1', port: PORT, path, headers: { authorization: `Bearer ${apiKey}` } },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          if (bytes === 0) firstByteMs = nowMs() - started;
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
        });
        res.on('end', () =>
          resolve({
            seconds: (nowMs() - started) / 1000,
            firstByteMs,
            bytes,
            rows: newlines - 1, // minus the header; the seeded values hold no line breaks
            status: res.statusCode ?? 0,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  await buildIfStale();
  await dropStaleBenchDatabases();
  const cleanups: (() => Promise<unknown>)[] = [];
  let failed = false;
  try {
    await createBenchDatabase(DB_NAME);
    cleanups.push(() => dropDatabase(DB_NAME));
    const tenant = await seedTenant(DB_NAME, 'Bench export', REGION);
    const seedStarted = nowMs();
    await seedRecords(tenant.id, tenant.providerId);
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const [{ n: inRange }] = await admin(
      async (c) =>
        (
          await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM authentication_records WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3`,
            [tenant.id, from, to],
          )
        ).rows,
      DB_NAME,
    );
    note(`seeded ${inRange} authentication records in range in ${((nowMs() - seedStarted) / 1000).toFixed(1)} s`);

    const exportDir = mkdtempSync(join(tmpdir(), 'twofold-bench-exports-'));
    cleanups.push(async () => rmSync(exportDir, { recursive: true, force: true }));
    const { child, logs } = startChild(
      'dist/apps/reporting/src/main.js',
      {
        NODE_ENV: 'production',
        PORT: String(PORT),
        HOST: '127.0.0.1',
        DATABASE_URL: dbUrl(DB_NAME, APP_ROLE),
        DATABASE_POOL_SIZE: '5',
        REDIS_URL,
        QUEUE_PREFIX: `{bench-${stamp}}`,
        SECRETS_KEYS: `${KEY_ID}:${KEY.toString('base64')}`,
        SECRETS_ACTIVE_KEY_ID: KEY_ID,
        LOG_LEVEL: 'warn',
        EXPORT_DIR: exportDir,
      },
      'the reporting service',
    );
    cleanups.push(() => stopChild(child));
    await waitReady(child, PORT, logs);
    const pid = child.pid as number;

    const sql = copyQuery(tenant.id, from, to);
    const warm = await copyRun(sql);
    note(`COPY warm-up (not counted): ${warm.toFixed(2)} s`);
    const copy1 = await copyRun(sql);

    // Let the child settle after boot, then measure from its resting RSS.
    await new Promise((r) => setTimeout(r, 1_000));
    const rssBefore = rssMb(pid);
    const sampler = sampleRss(pid, 100);
    const exp = await exportRun(tenant.apiKey, from, to);
    const rssMax = sampler.stop();
    const rssAfter = rssMb(pid);
    if (exp.status !== 200) throw new Error(`export: HTTP ${exp.status}: ${logs().slice(-2000)}`);
    if (exp.rows !== inRange) note(`WARNING: the export had ${exp.rows} rows, the range holds ${inRange}`);

    const copy2 = await copyRun(sql);
    const copySeconds = Math.min(copy1, copy2);
    const copyRate = inRange / copySeconds;
    const exportRate = exp.rows / exp.seconds;
    const growth = rssMax - rssBefore;

    note(`COPY runs: ${copy1.toFixed(2)} s, ${copy2.toFixed(2)} s (the faster counts)`);
    out('rows', exp.rows);
    out('export_seconds', exp.seconds.toFixed(2));
    out('export_first_byte_ms', exp.firstByteMs.toFixed(0));
    out('export_bytes', exp.bytes);
    out('export_rows_per_second', exportRate.toFixed(0));
    out('export_mb_per_second', (exp.bytes / 1_048_576 / exp.seconds).toFixed(1));
    out('copy_seconds', copySeconds.toFixed(2));
    out('copy_rows_per_second', copyRate.toFixed(0));
    out('rss_mb_before', rssBefore.toFixed(1));
    out('rss_mb_max', rssMax.toFixed(1));
    out('rss_mb_after', rssAfter.toFixed(1));
    out('rss_growth_mb', growth.toFixed(1));
    note(`${sampler.samples.length} RSS samples every 100 ms`);
    const ratio = exportRate / copyRate;
    note(
      `goals: ratio ≥ 0.30 ${ratio >= 0.3 ? 'met' : 'MISSED'}, RSS growth < 100 MB ${growth < 100 ? 'met' : 'MISSED'}`,
    );
    out('ratio', ratio.toFixed(2));
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();

/**
 * SMS delivery throughput of the built delivery worker against the fake Twilio, compared with
 * BullMQ's own rate for trivial jobs on the same Redis, in the same run (issue 5).
 *
 *   npm run bench:delivery          (node bench/run-ts.js bench/delivery.bench.ts)
 *
 * Optional environment: BENCH_MESSAGES (20000), BENCH_CONCURRENCY (64: WORKER_CONCURRENCY of the
 * worker and the trivial worker's concurrency; a saturated pool holds a job per slot reserved ahead,
 * so it must exceed the pools' rate × a job's latency), BENCH_SHORT_CODE_RATE (400:
 * SHORT_CODE_RATE_PER_SECOND; 6 codes × 400/s = 2,400/s, 0.28 of the ~8,600 trivial jobs/s of a
 * quiet run, so the ratio goal is reachable while every sender is held to its rate; run it with
 * 100, the carrier default, for the figure at production settings), BENCH_POOL_SIZE (10),
 * BENCH_WORKERS (1: worker processes, all on the same queue and the same Redis rate limits),
 * BENCH_CPU_PROF (a directory: each worker writes a V8 CPU profile there when it exits).
 *
 * 1. Builds dist/ when a source is newer, clones the migrated template into `twofold_bench_<ts>`
 *    (the migration seeds the R21 short codes: US 97671, 69829, 51789, 99399; CA 759731, 673801),
 *    inserts a tenant and BENCH_MESSAGES `queued` messages rows as the owner, 2/3 to US numbers
 *    and 1/3 to Canadian ones, so every short code gets about the same share.
 * 2. Starts the fake Twilio (libs/platform/testing) in this process, with automatic status
 *    callbacks off (no delivery HTTP app runs here), and adds one `delivery.sms.send` job per
 *    message with its code sealed under the worker's key, as the authentication engine does.
 * 3. Runs `node dist/apps/delivery/src/worker.js` as a child (NODE_ENV=production,
 *    TWILIO_API_BASE_URL = the fake) and counts the fake's Messages requests over time; prints the
 *    CPU time per message, between the first and the last request, of the workers, of this
 *    database's PostgreSQL backends, of Redis and of this process (the fake Twilio).
 * 4. Stops the worker, then times a BullMQ Worker with an empty processor over BENCH_MESSAGES
 *    jobs added with addBulk on a separate queue.
 *
 * The last line is `ratio <messages/s ÷ trivial jobs/s>` (goal ≥ 0.25, each sender within ±5% of
 * its configured rate).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SendSmsJob } from '@twofold/delivery/contracts';
import { SecretBox } from '@twofold/platform/crypto';
import { DEFAULT_JOB_OPTIONS } from '@twofold/platform/queue';
import { APP_ROLE, FakeTwilio } from '@twofold/platform/testing';
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
  rssMb,
  sleep,
  startChild,
  stopChild,
} from './common';
import { codeAad } from '@twofold/secrets/contracts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SHORT_CODE_RATE = Number(process.env.BENCH_SHORT_CODE_RATE ?? 400);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const STALL_MS = 30_000;

const stamp = newStamp();
const DB_NAME = `twofold_bench_${stamp}`;
const QUEUE_PREFIX = `{bench-${stamp}}`;
const KEY_ID = 'bench';
const KEY = randomBytes(32);
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

/** 2 of 3 to US numbers (4 short codes), 1 of 3 to Canadian ones (2 short codes). */
const phoneOf = (i: number) =>
  i % 3 === 2
    ? `+1416555${String(100 + (i % 100)).padStart(4, '0')}`
    : `+1212555${String(100 + (i % 100)).padStart(4, '0')}`;

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

/** Queued message rows as the owner, and their jobs (the code sealed under the worker's key). */
async function seedMessages(tenantId: string): Promise<SendSmsJob[]> {
  const box = new SecretBox(new Map([[KEY_ID, KEY]]), KEY_ID);
  const jobs: SendSmsJob[] = [];
  const rows = { id: [] as string[], auth: [] as string[], phone: [] as string[] };
  for (let i = 0; i < MESSAGES; i++) {
    const messageId = randomUUID();
    const authenticationId = randomUUID();
    const sealed = box.seal(Buffer.from(String(100000 + (i % 900000)), 'utf8'), codeAad(tenantId, messageId));
    rows.id.push(messageId);
    rows.auth.push(authenticationId);
    rows.phone.push(phoneOf(i));
    jobs.push({
      type: 'delivery.sms.send',
      tenantId,
      idempotencyKey: messageId,
      authenticationId,
      messageId,
      code: { keyId: sealed.keyId, ciphertext: sealed.ciphertext.toString('base64') },
    });
  }
  await admin(async (c) => {
    await c.query(
      `INSERT INTO tenants (id, name, data_region, updated_at) VALUES ($1, 'Bench delivery', 'us', now())`,
      [tenantId],
    );
    await c.query(
      `INSERT INTO messages (tenant_id, id, authentication_id, provider_id, channel, status, to_phone, country, updated_at)
       SELECT $1::uuid, m.id, m.auth, $2::uuid, 'sms', 'queued', m.phone, 'ZZ', now()
         FROM unnest($3::uuid[], $4::uuid[], $5::text[]) AS m(id, auth, phone)`,
      [tenantId, randomUUID(), rows.id, rows.auth, rows.phone],
    );
    await c.query('VACUUM ANALYZE messages');
  }, DB_NAME);
  return jobs;
}

async function addAll(queue: Queue, jobs: { name: string; data: unknown; opts?: { jobId: string } }[]) {
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
}

/** Highest number of requests in any 1 s window (sorted times, ms). */
function maxPerSecond(times: number[]): number {
  let best = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

interface CpuSample {
  requests: number;
  workers: number;
  postgres: number;
  redis: number;
  bench: number;
}

let redisPid = 0;
const backendCpu = new Map<number, number>();

/** CPU seconds so far of the workers, this database's PostgreSQL backends, Redis and this process. */
async function cpuSample(workerPids: number[]): Promise<Omit<CpuSample, 'requests'>> {
  const { rows } = await admin((c) =>
    c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2`, [
      DB_NAME,
      APP_ROLE,
    ]),
  );
  const safe = (pid: number) => {
    try {
      return cpuSeconds(pid);
    } catch {
      return backendCpu.get(pid) ?? 0; // gone since: its last known figure
    }
  };
  for (const { pid } of rows) backendCpu.set(pid, safe(pid));
  for (const pid of backendCpu.keys()) backendCpu.set(pid, safe(pid));
  const usage = process.cpuUsage();
  return {
    workers: workerPids.reduce((sum, pid) => sum + safe(pid), 0),
    postgres: [...backendCpu.values()].reduce((a, b) => a + b, 0),
    redis: redisPid ? safe(redisPid) : 0,
    bench: (usage.user + usage.system) / 1e6,
  };
}

async function trivialJobsPerSecond(connection: Redis): Promise<number> {
  const name = 'bench.trivial';
  const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
  try {
    await addAll(
      queue,
      Array.from({ length: MESSAGES }, (_, i) => ({ name: 'noop', data: { i } })),
    );
    let done = 0;
    let finished: () => void = () => undefined;
    const allDone = new Promise<void>((r) => (finished = r));
    const started = nowMs();
    const worker = new Worker(name, async () => undefined, {
      connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: QUEUE_PREFIX,
      concurrency: CONCURRENCY,
      removeOnComplete: DEFAULT_JOB_OPTIONS.removeOnComplete as { age: number; count: number },
    });
    worker.on('completed', () => {
      if (++done === MESSAGES) finished();
    });
    await allDone;
    const seconds = (nowMs() - started) / 1000;
    await worker.close();
    note(`trivial: ${MESSAGES} jobs in ${seconds.toFixed(2)} s at concurrency ${CONCURRENCY}`);
    return MESSAGES / seconds;
  } finally {
    await queue.close();
  }
}

async function main(): Promise<void> {
  await buildIfStale();
  await dropStaleBenchDatabases();
  const cleanups: (() => Promise<unknown>)[] = [];
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanups.push(() => redis.quit());
  let failed = false;
  try {
    await createBenchDatabase(DB_NAME);
    cleanups.push(() => dropDatabase(DB_NAME));
    cleanups.push(() => deleteKeys(redis, `${QUEUE_PREFIX}:*`));
    redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
    const { rows: codes } = await admin(
      (c) =>
        c.query<{ code: string; country: string }>(`SELECT code, country FROM short_codes WHERE enabled ORDER BY 2, 1`),
      DB_NAME,
    );
    note(`short codes: ${codes.map((c) => `${c.country} ${c.code}`).join(', ')}; ${SHORT_CODE_RATE}/s each`);

    const tenantId = randomUUID();
    let t = nowMs();
    const jobs = await seedMessages(tenantId);
    note(`seeded ${jobs.length} queued messages in ${((nowMs() - t) / 1000).toFixed(1)} s`);

    const twilio = await FakeTwilio.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, autoCallbacks: false });
    cleanups.push(() => twilio.close());

    const smsQueue = new Queue('delivery.sms', {
      connection: redis,
      prefix: QUEUE_PREFIX,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    cleanups.push(() => smsQueue.close());
    t = nowMs();
    await addAll(
      smsQueue,
      jobs.map((data) => ({ name: data.type, data, opts: { jobId: data.idempotencyKey } })),
    );
    note(`added ${jobs.length} delivery.sms.send jobs in ${((nowMs() - t) / 1000).toFixed(1)} s (addBulk)`);

    const spawnedAt = Date.now();
    const workers = Array.from({ length: WORKERS }, (_, i) =>
      startChild(
        'dist/apps/delivery/src/worker.js',
        {
          NODE_ENV: 'production',
          DATABASE_URL: dbUrl(DB_NAME, APP_ROLE),
          DATABASE_POOL_SIZE: String(POOL_SIZE),
          REDIS_URL,
          QUEUE_PREFIX,
          SECRETS_KEYS: `${KEY_ID}:${KEY.toString('base64')}`,
          SECRETS_ACTIVE_KEY_ID: KEY_ID,
          LOG_LEVEL: 'warn',
          WORKER_CONCURRENCY: String(CONCURRENCY),
          SHORT_CODE_RATE_PER_SECOND: String(SHORT_CODE_RATE),
          TWILIO_API_BASE_URL: twilio.url,
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          PUBLIC_BASE_URL: 'http://127.0.0.1:3991',
        },
        `delivery worker ${i + 1}`,
        process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
      ),
    );
    for (const { child } of workers) cleanups.push(() => stopChild(child));

    let seen = 0;
    let lastProgress = Date.now();
    let rssMax = 0;
    let cpuAtFirst: CpuSample | null = null;
    while (twilio.requests.length < MESSAGES) {
      const exited = workers.find((w) => w.child.exitCode !== null);
      if (exited) throw new Error(`a worker exited (${exited.child.exitCode}):\n${exited.logs().slice(-4000)}`);
      if (twilio.requests.length !== seen) {
        seen = twilio.requests.length;
        lastProgress = Date.now();
        cpuAtFirst ??= { ...(await cpuSample(workers.map((w) => w.child.pid as number))), requests: seen };
      } else if (Date.now() - lastProgress > STALL_MS) {
        throw new Error(`stalled at ${seen} of ${MESSAGES} Twilio requests:\n${workers[0].logs().slice(-4000)}`);
      }
      try {
        rssMax = Math.max(rssMax, ...workers.map((w) => rssMb(w.child.pid as number)));
      } catch {
        // not started yet
      }
      await sleep(100);
    }
    const cpuAtEnd = { ...(await cpuSample(workers.map((w) => w.child.pid as number))), requests: MESSAGES };
    const reqs = twilio.requests.slice(0, MESSAGES);
    const first = reqs[0].at;
    const last = reqs[reqs.length - 1].at;
    const steady = (reqs.length - 1) / ((last - first) / 1000);
    const overall = reqs.length / ((last - spawnedAt) / 1000);
    const accepted = reqs.filter((r) => r.responseStatus === 201).length;

    // Wait for the last jobs to record their outcome, then stop the workers before the trivial run.
    await sleep(1_000);
    const { rows: statuses } = await admin(
      (c) => c.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM messages GROUP BY 1`),
      DB_NAME,
    );
    await Promise.all(workers.map((w) => stopChild(w.child)));

    out('messages', reqs.length);
    out('twilio_accepted', accepted);
    out('worker_boot_to_first_request_ms', first - spawnedAt);
    out('messages_per_second', steady.toFixed(0));
    out('messages_per_second_incl_boot', overall.toFixed(0));
    out('worker_rss_mb_max', rssMax.toFixed(0));
    if (cpuAtFirst) {
      // CPU per message between the first and the last Twilio request, by process: what the
      // machine spends per message (the fake Twilio runs in this bench process).
      const n = cpuAtEnd.requests - cpuAtFirst.requests;
      const per = (key: keyof Omit<CpuSample, 'requests'>) =>
        (((cpuAtEnd[key] - cpuAtFirst[key]) * 1000) / n).toFixed(2);
      out('cpu_ms_per_message_workers', per('workers'));
      out('cpu_ms_per_message_postgres', per('postgres'));
      out('cpu_ms_per_message_redis', per('redis'));
      out('cpu_ms_per_message_bench_and_fake_twilio', per('bench'));
    }
    note(`message rows by status: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`);

    const bySender = new Map<string, number[]>();
    for (const r of reqs) {
      const from = r.params.From ?? '?';
      bySender.set(from, [...(bySender.get(from) ?? []), r.at]);
    }
    let worstDeviation = 0;
    for (const [from, times] of [...bySender].sort()) {
      times.sort((a, b) => a - b);
      const rate = times.length > 1 ? (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000) : NaN;
      const deviation = (rate - SHORT_CODE_RATE) / SHORT_CODE_RATE;
      worstDeviation = Math.max(worstDeviation, Math.abs(deviation));
      out(`sender_${from}_per_second`, rate.toFixed(1));
      note(
        `sender ${from}: ${times.length} messages, mean ${rate.toFixed(1)}/s (${(deviation * 100).toFixed(1)}% vs ` +
          `${SHORT_CODE_RATE}/s configured), busiest 1 s window ${maxPerSecond(times)}`,
      );
    }
    out('sender_worst_deviation_percent', (worstDeviation * 100).toFixed(1));

    const trivial = await trivialJobsPerSecond(redis);
    out('trivial_jobs_per_second', trivial.toFixed(0));
    const ratio = steady / trivial;
    note(
      `goals: ratio ≥ 0.25 ${ratio >= 0.25 ? 'met' : 'MISSED'}, every sender within ±5% of ${SHORT_CODE_RATE}/s ` +
        `${worstDeviation <= 0.05 ? 'met' : 'MISSED'}; the ceiling set by the rate limits is ` +
        `${bySender.size} senders × ${SHORT_CODE_RATE}/s = ${bySender.size * SHORT_CODE_RATE}/s`,
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

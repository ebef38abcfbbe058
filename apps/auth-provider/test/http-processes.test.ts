import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, Scrape, TestDatabase } from '@twofold/platform/testing';

const RUN_SOURCE = join(__dirname, '../../../libs/platform/testing/run-source.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The primary's worker processes (its direct children), from the process table. */
function workerPids(primary: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ready = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health/ready`)
    .then((r) => r.status === 200)
    .catch(() => false);

/**
 * HTTP_PROCESSES=2 (docs/decisions/0016): the primary only supervises; /metrics sums the workers. A worker that dies is
 * replaced; SIGTERM to the primary stops every worker gracefully and the primary exits 0.
 */
describe('HTTP_PROCESSES: a supervised cluster of the real service', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  const output: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      for (const pid of workerPids(child.pid as number)) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }
    await db.drop();
  });

  it('serves from two workers, replaces a killed one, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const operatorKey = `op_${randomBytes(24).toString('hex')}`;
    child = spawn(process.execPath, [RUN_SOURCE, 'apps/auth-provider/src/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        PORT: String(port),
        HTTP_PROCESSES: '2',
        DATABASE_URL: db.appUrl,
        DATABASE_POOL_SIZE: '2',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `{test-${db.name}}`,
        AUTH_SWEEP_INTERVAL_SECONDS: '0',
        OPERATOR_API_KEY: operatorKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    const primary = child.pid as number;
    const log = () => output.join('').slice(-3000);

    await until(
      () => workerPids(primary).length === 2 && ready(port),
      90_000,
      () => `two ready workers:\n${log()}`,
    );
    const [first, second] = workerPids(primary);

    // One /metrics answer for the cluster (docs/decisions/0024): whichever worker a scrape reaches,
    // the request counts of both are summed by the primary.
    for (let i = 0; i < 20; i++) expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${operatorKey}` },
      });
      expect(res.status).toBe(200);
      const live = Scrape.parse(await res.text()).value('twofold_http_request_duration_seconds_count', {
        route: '/health/live',
        method: 'GET',
        status: '200',
      });
      expect(live).toBe(20);
    }

    process.kill(first, 'SIGKILL');
    await until(
      () => {
        const pids = workerPids(primary);
        return pids.length === 2 && !pids.includes(first) && pids.includes(second);
      },
      30_000,
      () => `a replacement worker:\n${log()}`,
    );
    await until(
      () => ready(port),
      60_000,
      () => `the service ready after the replacement:\n${log()}`,
    );
    expect(log()).toMatch(new RegExp(`http worker ${first} exited \\(SIGKILL\\); starting another`));

    const workers = workerPids(primary);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow(); // gone, not orphaned
  }, 180_000);
});

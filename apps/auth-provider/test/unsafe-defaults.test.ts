import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DEV_SECRETS_KEYS } from '@twofold/platform/config';
import { createTestDatabase, TestDatabase } from '@twofold/platform/testing';

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

interface Outcome {
  exitCode: number | null;
  output: string;
  ready: boolean;
}

/** Boots the real auth-provider from source; stops it once it answers /health/ready, or reports how it exited. */
async function boot(env: Record<string, string | undefined>): Promise<Outcome> {
  const port = await freePort();
  const base = { ...process.env };
  delete base.NODE_ENV; // Jest sets NODE_ENV=test; each case says its own.
  const child = spawn(process.execPath, [RUN_SOURCE, 'apps/auth-provider/src/main.ts'], {
    env: { ...base, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const exitCode = await exited;
  return { exitCode, output: chunks.join(''), ready };
}

/** Issue 15 item 8: public development secrets only with an explicit NODE_ENV=development or test. */
describe('unsafe defaults: the real service refuses to start with public development secrets', () => {
  let db: TestDatabase;
  let common: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    common = {
      DATABASE_URL: db.appUrl,
      DATABASE_POOL_SIZE: '2',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `{test-${db.name}}`,
      AUTH_SWEEP_INTERVAL_SECONDS: '0',
      OPERATOR_API_KEY: `op_${randomBytes(24).toString('hex')}`,
    };
  });
  afterAll(() => db.drop());

  it('without NODE_ENV: exits 1 naming the missing secret and NODE_ENV, never listening', async () => {
    const outcome = await boot(common);
    expect(outcome).toMatchObject({ exitCode: 1, ready: false });
    expect(outcome.output).toMatch(/SECRETS_KEYS: is required/);
    expect(outcome.output).toMatch(/NODE_ENV: is not set/);
  }, 90_000);

  it('NODE_ENV=production with the public development key: exits 1', async () => {
    const outcome = await boot({
      ...common,
      NODE_ENV: 'production',
      SECRETS_KEYS: DEV_SECRETS_KEYS,
      SECRETS_ACTIVE_KEY_ID: 'dev',
    });
    expect(outcome).toMatchObject({ exitCode: 1, ready: false });
    expect(outcome.output).toMatch(/SECRETS_KEYS: is the public development value/);
    expect(outcome.output).not.toContain(DEV_SECRETS_KEYS.split(':')[1]);
  }, 90_000);

  it('an explicit NODE_ENV=development still starts with the stand-ins (npm start sets it)', async () => {
    const outcome = await boot({ ...common, NODE_ENV: 'development' });
    expect(outcome.ready).toBe(true);
  }, 90_000);
});

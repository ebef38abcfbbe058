import { randomBytes } from 'node:crypto';
import { DEV_SECRETS_KEYS } from '@twofold/platform/config';
import { createTestDatabase, TestDatabase } from '@twofold/platform/testing';
import { startServiceProcess } from './service-process';

/** Boots the real auth-provider; stops it once it is ready, or reports how it exited. */
async function boot(
  env: Record<string, string | undefined>,
): Promise<{ exitCode: number | null; output: string; ready: boolean }> {
  const service = await startServiceProcess(env);
  const exitCode = await service.stop();
  return { exitCode, output: service.output(), ready: service.ready };
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

import { authProviderConfigSchema, ConfigError, describeConfig, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the local defaults (127.0.0.1 Postgres and Redis, port 3000)', () => {
    const c = loadConfig(authProviderConfigSchema, { OPERATOR_API_KEY: 'x'.repeat(32) });
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgresql://twofold_app@127.0.0.1:5432/twofold');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('lists every missing or bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(authProviderConfigSchema, { PORT: 'seventy', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/OPERATOR_API_KEY: is required/);
    expect(problems).toMatch(/PORT: must be a whole number from 1 to 65535/);
    expect(problems).toMatch(/DATABASE_URL: must be a postgres/);
    expect(problems).toMatch(/LOG_LEVEL:/);
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig(authProviderConfigSchema, { OPERATOR_API_KEY: 'y'.repeat(40), PORT: '' });
    expect(c.PORT).toBe(3000);
  });

  it('masks secrets when the config is described', () => {
    const d = describeConfig({
      OPERATOR_API_KEY: 'z'.repeat(40),
      DATABASE_URL: 'postgresql://app:hunter2@db:5432/twofold',
      PORT: 3000,
    });
    expect(JSON.stringify(d)).not.toMatch(/zzzz|hunter2/);
    expect(d.PORT).toBe(3000);
  });
});

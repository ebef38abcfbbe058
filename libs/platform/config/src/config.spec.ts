import {
  authProviderConfigSchema,
  ConfigError,
  deliveryConfigSchema,
  DEV_SECRETS_KEYS,
  DEV_TWILIO,
  describeConfig,
  loadConfig,
  reportingConfigSchema,
  workerConfigSchema,
} from './config';

describe('loadConfig', () => {
  it('applies the local defaults (127.0.0.1 Postgres and Redis, port 3000)', () => {
    const c = loadConfig(authProviderConfigSchema, { NODE_ENV: 'development', OPERATOR_API_KEY: 'x'.repeat(32) });
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
    const c = loadConfig(authProviderConfigSchema, { NODE_ENV: 'test', OPERATOR_API_KEY: 'y'.repeat(40), PORT: '' });
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

  describe('SECRETS_KEYS / SECRETS_ACTIVE_KEY_ID', () => {
    const op = { NODE_ENV: 'development', OPERATOR_API_KEY: 'x'.repeat(32) };
    const key = (id: string) => `${id}:${Buffer.alloc(32, id).toString('base64')}`;

    it('gives development and tests a fixed development key', () => {
      const c = loadConfig(authProviderConfigSchema, op);
      expect(c.SECRETS_KEYS).toBe(DEV_SECRETS_KEYS);
      expect(c.SECRETS_ACTIVE_KEY_ID).toBe('dev');
    });

    it('issue 15 item 8: without NODE_ENV the service runs as production and refuses the development stand-ins', () => {
      let error: unknown;
      try {
        loadConfig(authProviderConfigSchema, { OPERATOR_API_KEY: 'x'.repeat(32) });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/SECRETS_KEYS: is required/);
      expect(problems).toMatch(/NODE_ENV: is not set, so the service runs as production/);
    });

    it('issue 15 item 8: outside development/test, a public development secret stops the boot (under any key id)', () => {
      const prod = { OPERATOR_API_KEY: 'x'.repeat(32), NODE_ENV: 'production' };
      const material = DEV_SECRETS_KEYS.split(':')[1];
      for (const env of [
        { ...prod, SECRETS_KEYS: DEV_SECRETS_KEYS, SECRETS_ACTIVE_KEY_ID: 'dev' },
        { ...prod, SECRETS_KEYS: `${key('k1')},mine:${material}`, SECRETS_ACTIVE_KEY_ID: 'k1' },
        { SECRETS_KEYS: DEV_SECRETS_KEYS, SECRETS_ACTIVE_KEY_ID: 'dev', OPERATOR_API_KEY: 'x'.repeat(32) },
      ]) {
        expect(() => loadConfig(authProviderConfigSchema, env)).toThrow(
          /SECRETS_KEYS: is the public development value, allowed only with NODE_ENV=development or test/,
        );
      }
      const twilio = {
        ...prod,
        SECRETS_KEYS: key('k1'),
        SECRETS_ACTIVE_KEY_ID: 'k1',
        TWILIO_ACCOUNT_SID: DEV_TWILIO.TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: DEV_TWILIO.TWILIO_AUTH_TOKEN,
        PUBLIC_BASE_URL: 'https://twofold.example',
      };
      expect(() => loadConfig(deliveryConfigSchema, twilio)).toThrow(
        /TWILIO_AUTH_TOKEN: is the public development value/,
      );
      expect(loadConfig(deliveryConfigSchema, { ...twilio, TWILIO_AUTH_TOKEN: 'r'.repeat(32) }).NODE_ENV).toBe(
        'production',
      );
    });

    it('refuses to boot in production without keys', () => {
      expect(() => loadConfig(authProviderConfigSchema, { ...op, NODE_ENV: 'production' })).toThrow(
        /SECRETS_KEYS: is required[\s\S]*SECRETS_ACTIVE_KEY_ID: is required/,
      );
    });

    it('accepts several keys with an active one, in production too', () => {
      const c = loadConfig(authProviderConfigSchema, {
        ...op,
        NODE_ENV: 'production',
        SECRETS_KEYS: `${key('k1')},${key('k2')}`,
        SECRETS_ACTIVE_KEY_ID: 'k2',
      });
      expect(c.SECRETS_ACTIVE_KEY_ID).toBe('k2');
    });

    it('refuses a bad key and an active key id that is not listed, without echoing key material', () => {
      const bad = `k1:${Buffer.alloc(16).toString('base64')}`;
      expect(() =>
        loadConfig(authProviderConfigSchema, { ...op, SECRETS_KEYS: bad, SECRETS_ACTIVE_KEY_ID: 'k1' }),
      ).toThrow(/SECRETS_KEYS: key "k1" must be 32 bytes/);
      let error: unknown;
      try {
        loadConfig(authProviderConfigSchema, { ...op, SECRETS_KEYS: key('k1'), SECRETS_ACTIVE_KEY_ID: 'k9' });
      } catch (e) {
        error = e;
      }
      expect((error as ConfigError).problems).toEqual([
        'SECRETS_ACTIVE_KEY_ID: must be one of the key ids of SECRETS_KEYS (k1)',
      ]);
      expect(describeConfig({ SECRETS_KEYS: key('k1') }).SECRETS_KEYS).toBe('***');
    });
  });

  describe('TRUST_PROXY (issue 15 item 7)', () => {
    const env = { NODE_ENV: 'test', OPERATOR_API_KEY: 'x'.repeat(32) };
    const trust = (value?: string) => loadConfig(authProviderConfigSchema, { ...env, TRUST_PROXY: value }).TRUST_PROXY;

    it('trusts nobody by default, or the listed addresses and CIDRs, or a hop count', () => {
      expect(trust()).toBe(false);
      expect(trust('false')).toBe(false);
      expect(trust('10.0.0.0/8, 192.0.2.7,2001:db8::/32')).toEqual(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
      expect(trust('2')).toBe(2);
    });

    it('refuses true (every hop) and malformed entries, saying what to give instead', () => {
      expect(() => trust('true')).toThrow(/TRUST_PROXY: true would trust every hop.*addresses or CIDRs/);
      for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1', '::1/129', '99']) {
        expect(() => trust(bad)).toThrow(/TRUST_PROXY: /);
      }
    });
  });

  describe('metrics access and listener (docs/decisions/0024)', () => {
    const env = { NODE_ENV: 'test' };

    it('allows nobody by address by default; takes a list of addresses and CIDRs; the operator key is optional outside auth-provider and delivery', () => {
      const c = loadConfig(reportingConfigSchema, env);
      expect(c.METRICS_ALLOW_CIDRS).toEqual([]);
      expect(c.OPERATOR_API_KEY).toBeUndefined();
      expect(
        loadConfig(reportingConfigSchema, { ...env, METRICS_ALLOW_CIDRS: '10.0.5.0/24, 127.0.0.1,::1' })
          .METRICS_ALLOW_CIDRS,
      ).toEqual(['10.0.5.0/24', '127.0.0.1', '::1']);
      expect(() => loadConfig(reportingConfigSchema, { ...env, METRICS_ALLOW_CIDRS: 'prometheus.internal' })).toThrow(
        /METRICS_ALLOW_CIDRS: must be a comma list of IP addresses or CIDRs/,
      );
      expect(() => loadConfig(reportingConfigSchema, { ...env, OPERATOR_API_KEY: 'short' })).toThrow(
        /OPERATOR_API_KEY: must be at least 32 characters/,
      );
      expect(() => loadConfig(authProviderConfigSchema, env)).toThrow(/OPERATOR_API_KEY: is required/);
    });

    it('opens no worker listener unless METRICS_PORT is set', () => {
      expect(loadConfig(workerConfigSchema, env)).toMatchObject({ METRICS_PORT: 0, METRICS_HOST: '0.0.0.0' });
      expect(loadConfig(workerConfigSchema, { ...env, METRICS_PORT: '9101' }).METRICS_PORT).toBe(9101);
      expect(() => loadConfig(workerConfigSchema, { ...env, METRICS_PORT: '70000' })).toThrow(/METRICS_PORT: /);
    });
  });
});

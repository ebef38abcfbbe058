import { ConfigError } from '@twofold/platform/config';
import { DEV_STRIPE, loadHttpConfig } from './config';

describe('billing config', () => {
  it('boots in development without a Stripe account (stand-ins)', () => {
    const c = loadHttpConfig({ NODE_ENV: 'development' });
    expect(c.STRIPE_SECRET_KEY).toMatch(/^sk_test_/);
  });

  it('refuses to boot in production without the Stripe secrets, naming each', () => {
    let error: unknown;
    try {
      loadHttpConfig({
        NODE_ENV: 'production',
        SECRETS_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
        SECRETS_ACTIVE_KEY_ID: 'k1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(
      /STRIPE_SECRET_KEY: is required[\s\S]*STRIPE_WEBHOOK_SECRET: is required/,
    );
  });

  it('issue 15 item 8: refuses the public development Stripe secrets outside development/test', () => {
    const env = {
      NODE_ENV: 'production',
      SECRETS_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      SECRETS_ACTIVE_KEY_ID: 'k1',
      STRIPE_SECRET_KEY: DEV_STRIPE.STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE.STRIPE_WEBHOOK_SECRET,
    };
    expect(() => loadHttpConfig(env)).toThrow(
      /STRIPE_SECRET_KEY: is the public development value[\s\S]*STRIPE_WEBHOOK_SECRET: is the public development value/,
    );
    expect(() => loadHttpConfig({ ...env, NODE_ENV: undefined })).toThrow(/NODE_ENV: is not set/);
    expect(
      loadHttpConfig({ ...env, STRIPE_SECRET_KEY: 'sk_live_real', STRIPE_WEBHOOK_SECRET: 'whsec_real' }).NODE_ENV,
    ).toBe('production');
  });
});

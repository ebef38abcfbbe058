import { ConfigError } from '@twofold/platform/config';
import { loadHttpConfig } from './config';

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
});

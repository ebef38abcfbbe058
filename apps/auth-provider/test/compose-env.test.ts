import { composeServicesRunning } from '@twofold/platform/testing';
import { loadAuthProviderConfig } from '../src/config';

/**
 * Issue 16 item 4: every docker-compose service of this app gets, in production mode, the settings its
 * config requires (docker-compose.yml resolved by `docker-compose config` with .ci/compose-check.env).
 */
describe('docker-compose.yml gives auth-provider what its config requires', () => {
  it('auth-provider', () => {
    const services = composeServicesRunning('dist/apps/auth-provider/src/main.js');
    expect(services.map((s) => s.name)).toEqual(['auth-provider']);
    for (const s of services) expect(loadAuthProviderConfig(s.env).NODE_ENV).toBe('production');
  });
});

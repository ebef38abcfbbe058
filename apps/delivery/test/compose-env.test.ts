import { composeServicesRunning } from '@twofold/platform/testing';
import { loadHttpConfig, loadWorkerConfig } from '../src/config';

/**
 * Issue 16 item 4: every docker-compose service of this app gets, in production mode, the settings its
 * config requires (docker-compose.yml resolved by `docker-compose config` with .ci/compose-check.env).
 */
describe('docker-compose.yml gives delivery what its config requires', () => {
  it('delivery and delivery-worker', () => {
    const http = composeServicesRunning('dist/apps/delivery/src/main.js');
    const workers = composeServicesRunning('dist/apps/delivery/src/worker.js');
    expect([...http, ...workers].map((s) => s.name)).toEqual(['delivery', 'delivery-worker']);
    for (const s of http) expect(loadHttpConfig(s.env).NODE_ENV).toBe('production');
    for (const s of workers) expect(loadWorkerConfig(s.env).NODE_ENV).toBe('production');
  });
});

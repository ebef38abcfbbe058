import { composeServicesRunning } from '@twofold/platform/testing';
import { loadHttpConfig, loadWorkerConfig } from '../src/config';

/**
 * Issue 16 item 4: every docker-compose service of this app gets, in production mode, the settings its
 * config requires (docker-compose.yml resolved by `docker-compose config` with .ci/compose-check.env).
 */
describe('docker-compose.yml gives billing what its config requires', () => {
  it('billing and billing-worker', () => {
    const http = composeServicesRunning('dist/apps/billing/src/main.js');
    const workers = composeServicesRunning('dist/apps/billing/src/worker.js');
    expect([...http, ...workers].map((s) => s.name)).toEqual(['billing', 'billing-worker']);
    for (const s of http) expect(loadHttpConfig(s.env).NODE_ENV).toBe('production');
    for (const s of workers) expect(loadWorkerConfig(s.env).NODE_ENV).toBe('production');
  });
});

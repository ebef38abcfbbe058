import { composeServicesRunning } from '@twofold/platform/testing';
import { loadHttpConfig, loadWorkerConfig } from '../src/config';

/**
 * Issue 16 item 4: every docker-compose service of this app gets, in production mode, the settings its
 * config requires (docker-compose.yml resolved by `docker-compose config` with .ci/compose-check.env).
 */
describe('docker-compose.yml gives reporting what its config requires', () => {
  it('reporting and reporting-worker', () => {
    const http = composeServicesRunning('dist/apps/reporting/src/main.js');
    const workers = composeServicesRunning('dist/apps/reporting/src/worker.js');
    expect([...http, ...workers].map((s) => s.name)).toEqual(['reporting', 'reporting-worker']);
    for (const s of http) expect(loadHttpConfig(s.env).NODE_ENV).toBe('production');
    for (const s of workers) expect(loadWorkerConfig(s.env).NODE_ENV).toBe('production');
  });
});

describe('docker-compose.yml shares export files between reporting and its worker', () => {
  it('both use the same EXPORT_DIR, outside the read-only /app', () => {
    const [http] = composeServicesRunning('dist/apps/reporting/src/main.js');
    const [worker] = composeServicesRunning('dist/apps/reporting/src/worker.js');
    expect(http?.env.EXPORT_DIR).toBe(worker?.env.EXPORT_DIR);
    expect(http?.env.EXPORT_DIR).toMatch(/^\/var\/lib\/twofold\//);
  });
});

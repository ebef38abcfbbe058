import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');

interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, unknown>;
}

/**
 * docker-compose.yml as `docker-compose config` (Debian's v1, no engine needed) resolves it with the
 * CI placeholder values of .ci/compose-check.env (issue 16 item 4).
 */
function composeConfig(): Record<string, ComposeService> {
  const yaml = execFileSync(
    'docker-compose',
    ['-f', join(ROOT, 'docker-compose.yml'), '--env-file', join(ROOT, '.ci/compose-check.env'), 'config'],
    { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  const json = execFileSync(
    '/usr/bin/python3',
    ['-c', 'import sys, yaml, json; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: yaml, encoding: 'utf8' },
  );
  return (JSON.parse(json) as { services: Record<string, ComposeService> }).services;
}

/**
 * Each compose service that runs `entrypoint` (e.g. `dist/apps/billing/src/worker.js`; the image's
 * default command is auth-provider's main.js), with the environment compose gives it: the per-app
 * tests load their config from it, so a setting the compose file forgot fails there.
 */
export function composeServicesRunning(entrypoint: string): { name: string; env: Record<string, string> }[] {
  const DEFAULT = 'dist/apps/auth-provider/src/main.js';
  return Object.entries(composeConfig())
    .filter(([, s]) => {
      if (!s.image?.startsWith('twofold')) return false; // postgres, redis
      const command = Array.isArray(s.command) ? s.command : s.command ? [s.command] : ['node', DEFAULT];
      return command.includes(entrypoint);
    })
    .map(([name, s]) => ({
      name,
      env: Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)])),
    }));
}

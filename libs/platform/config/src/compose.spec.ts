import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Issue 15 item 8: docker-compose.yml publishes neither Postgres nor Redis on the host's interfaces,
 * and gives no secret a default (compose stops and names each missing one).
 */
describe('docker-compose.yml has no unsafe defaults', () => {
  const compose = readFileSync(join(__dirname, '../../../../docker-compose.yml'), 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');

  it('publishes no database or Redis port, except on loopback', () => {
    const published = [...compose.matchAll(/['"]?((?:[\d.]+:)?)(\d+):(5432|6379)['"]?/g)];
    for (const [mapping, host] of published) expect({ mapping, host }).toEqual({ mapping, host: '127.0.0.1:' });
  });

  it('every password, key, token and secret is required, none has a default', () => {
    const defaulted = [...compose.matchAll(/\$\{(\w+):?-[^}]*\}/g)].map((m) => m[1]);
    expect(defaulted.filter((name) => /PASSWORD|SECRET|KEY|TOKEN/.test(name ?? ''))).toEqual([]);
    expect(compose).not.toMatch(/POSTGRES_PASSWORD: postgres\b|:postgres@|twofold_app:twofold_app@/);
    for (const name of ['POSTGRES_PASSWORD', 'TWOFOLD_APP_PASSWORD', 'REDIS_PASSWORD', 'SECRETS_KEYS']) {
      expect(compose).toContain(`\${${name}:?`);
    }
    expect(compose).toMatch(/--requirepass/);
  });
});

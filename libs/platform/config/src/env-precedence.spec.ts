import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV_SH = join(__dirname, '../../../../.ci/env.sh');

/** Issue 16 item 5: the environment wins over .env, which wins over the defaults (.ci/env.sh). */
describe('configuration precedence of npm start, npm test and .ci/run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'twofold-env-'));
    writeFileSync(
      join(dir, '.env'),
      [
        'OPERATOR_API_KEY=from-dotenv',
        'REDIS_URL=redis://dotenv-host:6379',
        "STRIPE_SECRET_KEY='sk_test_dotenv value'",
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: Record<string, string>) =>
    execFileSync(
      'bash',
      [
        '-c',
        `. "${ENV_SH}"; printf '%s|%s|%s|%s' "$OPERATOR_API_KEY" "$REDIS_URL" "$STRIPE_SECRET_KEY" "$DATABASE_URL"`,
      ],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8' },
    ).split('|');

  it('.env wins over the defaults', () => {
    expect(run({})).toEqual([
      'from-dotenv',
      'redis://dotenv-host:6379',
      'sk_test_dotenv value',
      'postgresql://twofold_app@127.0.0.1:5432/twofold', // the default: in neither
    ]);
  });

  it('the environment wins over .env (values with spaces and quotes kept as given)', () => {
    expect(
      run({
        OPERATOR_API_KEY: 'from-env',
        STRIPE_SECRET_KEY: 'sk_test_"quoted" $value',
        DATABASE_URL: 'postgresql://x@db:5432/y',
      }),
    ).toEqual(['from-env', 'redis://dotenv-host:6379', 'sk_test_"quoted" $value', 'postgresql://x@db:5432/y']);
  });
});

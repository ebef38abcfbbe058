import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { hotp, totp, verifyTotp, type OtpAlgorithm, type OtpDigits, type TotpPeriod } from './otp';

/**
 * Independent oracle: OATH Toolkit's oathtool (CI installs it with apt). Random secrets of 10–64 bytes,
 * times across [0, 2^34) s, every hash, 6–8 digits, 30/60 s periods, and 64-bit HOTP counters. oathtool
 * runs in a few shell batches rather than once per case to keep the file fast.
 */
const CASES = 200;
const BATCH = 50;
const ALGORITHMS: OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
const DIGITS: OtpDigits[] = [6, 7, 8];
const PERIODS: TotpPeriod[] = [30, 60];

function requireOathtool(): void {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `oathtool is required for this test (apt-get install oathtool); it could not be run: ${String(error)}`,
    );
  }
}

/** Runs `oathtool <args>` for each argument list (all of one arity) and returns one output line per run. */
function oathtool(runs: string[][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < runs.length; i += BATCH) {
    const batch = runs.slice(i, i + BATCH);
    const arity = batch[0].length;
    const args = Array.from({ length: arity }, (_, k) => `"$${k + 1}"`).join(' ');
    const script = `while [ "$#" -gt 0 ]; do oathtool ${args} || exit 1; shift ${arity}; done`;
    const stdout = execFileSync('/bin/sh', ['-c', script, 'sh', ...batch.flat()], { encoding: 'utf8' });
    out.push(...stdout.trim().split('\n'));
  }
  return out;
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)];

describe('cross-check with oathtool', () => {
  beforeAll(requireOathtool);

  it(`TOTP: ${CASES} random cases agree`, () => {
    const cases = Array.from({ length: CASES }, () => ({
      secret: randomBytes(randomInt(10, 65)),
      unix: randomInt(0, 2 ** 34),
      ms: randomInt(0, 1000),
      algorithm: pick(ALGORITHMS),
      digits: pick(DIGITS),
      period: pick(PERIODS),
    }));
    const expected = oathtool(
      cases.map((c) => [
        `--totp=${c.algorithm}`,
        `--digits=${c.digits}`,
        `--time-step-size=${c.period}s`,
        `--now=@${c.unix}`,
        c.secret.toString('hex'),
      ]),
    );
    const describeCase = (c: (typeof cases)[number]) =>
      `${c.algorithm} ${c.digits} digits ${c.period}s @${c.unix} key ${c.secret.toString('hex')}`;

    const ours = cases.map((c) => `${describeCase(c)} → ${totp(c.secret, c.unix * 1000 + c.ms, c)}`);
    expect(ours).toEqual(cases.map((c, i) => `${describeCase(c)} → ${expected[i]}`));

    const verified = cases.map((c, i) => {
      const result = verifyTotp({ ...c, code: expected[i], timeMs: c.unix * 1000 + c.ms });
      return `${describeCase(c)} → ${result.ok ? result.step : result.reason}`;
    });
    expect(verified).toEqual(cases.map((c) => `${describeCase(c)} → ${Math.floor(c.unix / c.period)}`));
  });

  it(`HOTP: ${CASES} random cases agree (counters up to 2^64 - 1)`, () => {
    const cases = Array.from({ length: CASES }, (_, i) => ({
      secret: randomBytes(randomInt(10, 65)),
      counter: i % 2 === 0 ? BigInt(randomInt(0, 1_000_000)) : randomBytes(8).readBigUInt64BE(0),
      algorithm: 'SHA1' as const, // oathtool's HOTP mode is HMAC-SHA1 only (RFC 4226)
      digits: pick(DIGITS),
    }));
    const expected = oathtool(
      cases.map((c) => ['--hotp', `--digits=${c.digits}`, `--counter=${c.counter}`, c.secret.toString('hex')]),
    );
    const describeCase = (c: (typeof cases)[number]) =>
      `${c.digits} digits counter ${c.counter} key ${c.secret.toString('hex')}`;
    expect(cases.map((c) => `${describeCase(c)} → ${hotp(c.secret, c.counter, c)}`)).toEqual(
      cases.map((c, i) => `${describeCase(c)} → ${expected[i]}`),
    );
  });
});

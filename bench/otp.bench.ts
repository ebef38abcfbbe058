/**
 * In-process TOTP verification throughput, worst case: random codes, so nearly every verification
 * fails and computes all three steps of window 1 (SHA1, 6 digits, 30 s).
 *
 *   node bench/run-ts.js bench/otp.bench.ts [seconds]
 *
 * Prints `totp_verifications_per_second <n>` on one core (this process).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { verifyTotp } from '@twofold/authentication/domain';

const seconds = Number(process.argv[2] ?? 3);
const SECRETS = Array.from({ length: 64 }, () => randomBytes(20));
const CODES = Array.from({ length: 4096 }, () => randomInt(0, 1_000_000).toString().padStart(6, '0'));
const NOW = Date.now();

let accepted = 0;
function run(iterations: number, offset: number): void {
  for (let i = 0; i < iterations; i++) {
    const n = offset + i;
    const result = verifyTotp({
      secret: SECRETS[n & 63],
      code: CODES[n & 4095],
      timeMs: NOW + (n & 0xffff) * 1000,
      period: 30,
      digits: 6,
      algorithm: 'SHA1',
      window: 1,
    });
    if (result.ok) accepted++;
  }
}

function measure(durationMs: number): { count: number; elapsedMs: number } {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  let count = 0;
  let now = start;
  while (now < deadline) {
    run(1_000, count);
    count += 1_000;
    now = process.hrtime.bigint();
  }
  return { count, elapsedMs: Number(now - start) / 1e6 };
}

measure(500); // warm-up: let V8 optimise before timing
const { count, elapsedMs } = measure(seconds * 1000);
const perSecond = Math.round((count / elapsedMs) * 1000);
console.log(`verifications ${count} in ${elapsedMs.toFixed(0)} ms (accepted by chance: ${accepted})`);
console.log(`totp_verifications_per_second ${perSecond}`);

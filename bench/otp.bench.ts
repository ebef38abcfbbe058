/**
 * In-process TOTP verification throughput, worst case: random codes, so nearly every verification
 * fails and computes all three steps of window 1 (SHA1, 6 digits, 30 s).
 *
 *   node bench/run-ts.js bench/otp.bench.ts [seconds]
 *
 * Prints `totp_verifications_per_second <n>` on one core (this process): the median of 1-second
 * windows over [seconds], so a moment when another process takes the core does not decide the figure
 * (the slowest and fastest windows are printed too).
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
const windows: number[] = [];
let total = 0;
for (let i = 0; i < Math.max(1, Math.round(seconds)); i++) {
  const { count, elapsedMs } = measure(1_000);
  total += count;
  windows.push((count / elapsedMs) * 1000);
}
windows.sort((a, b) => a - b);
const median = windows[Math.floor(windows.length / 2)] as number;
console.log(
  `verifications ${total} in ${windows.length} windows of 1 s, slowest ${Math.round(windows[0] as number)}/s, ` +
    `fastest ${Math.round(windows[windows.length - 1] as number)}/s (accepted by chance: ${accepted})`,
);
console.log(`totp_verifications_per_second ${Math.round(median)}`);

/**
 * What key derivations do to the event loop (docs/decisions/0020): N PBKDF2-HMAC-SHA512 derivations
 * at the import cap (200,000 iterations), and N app-password checks (10 scrypt hashes each), first
 * as before (pbkdf2Sync on the loop; scrypt unbounded), then through the bounded pools.
 *
 *   node bench/run-ts.js bench/key-derivation.bench.ts [N]
 *
 * Prints, per case, the wall time, the event loop's busy share and its largest delay (a 10 ms
 * timer's lateness, from perf_hooks.monitorEventLoopDelay), and the slowest of back-to-back
 * `fs.stat` calls meanwhile: file (and DNS) work needs a free libuv thread too.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { hashAppPassword, matchAppPassword, MAX_APP_PASSWORDS_PER_USER } from '@twofold/directory/domain';
import { KeyDerivationPool, pbkdf2Async } from '@twofold/platform/crypto';
import { MAX_PBKDF2_ITERATIONS } from '@twofold/tokens/domain';

const n = Number(process.argv[2] ?? 4);

async function measure(name: string, work: () => Promise<unknown>): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  // A 10 ms heartbeat: the figure a request waiting for the loop would see.
  const beat = setInterval(() => undefined, 10);
  delay.enable();
  const loop = performance.eventLoopUtilization();
  const t0 = performance.now();
  let running = true;
  let slowestStat = 0;
  const stats = (async () => {
    while (running) {
      const s0 = performance.now();
      await stat(__filename);
      slowestStat = Math.max(slowestStat, performance.now() - s0);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await work();
  const wall = performance.now() - t0;
  running = false;
  await stats;
  const used = performance.eventLoopUtilization(loop);
  delay.disable();
  clearInterval(beat);
  console.log(
    `${name.padEnd(58)} wall ${wall.toFixed(0).padStart(5)} ms  loop busy ${(used.utilization * 100).toFixed(1).padStart(5)}%  max loop delay ${(delay.max / 1e6).toFixed(0).padStart(5)} ms  slowest fs.stat ${slowestStat.toFixed(0).padStart(5)} ms`,
  );
}

async function main(): Promise<void> {
  const salt = randomBytes(16);
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  await measure(`${n} PBKDF2 imports, pbkdf2Sync on the loop (before)`, async () => {
    for (let i = 0; i < n; i++) {
      await tick(); // each request's handler runs in its own turn of the loop
      pbkdf2Sync('pw', salt, MAX_PBKDF2_ITERATIONS, 16, 'sha512');
    }
  });
  const pskc = new KeyDerivationPool('PSKC import', { concurrency: 1, queue: 8, perKey: 2 });
  await measure(`${n} PBKDF2 imports, bounded pool (after)`, () =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        pskc.run(`tenant-${i}`, () => pbkdf2Async('pw', salt, MAX_PBKDF2_ITERATIONS, 16, 'sha512')),
      ),
    ),
  );

  const hashes = await Promise.all(
    Array.from({ length: MAX_APP_PASSWORDS_PER_USER }, async (_, i) => ({
      id: String(i),
      passwordHash: await hashAppPassword(`password-${i}`),
    })),
  );
  await measure(`${n} wrong app passwords x ${MAX_APP_PASSWORDS_PER_USER} hashes, unbounded (before)`, () =>
    Promise.all(Array.from({ length: n }, () => matchAppPassword('wrong', hashes))),
  );
  const appPasswords = new KeyDerivationPool('app passwords', { concurrency: 2, queue: 32, perKey: 8 });
  await measure(`${n} wrong app passwords x ${MAX_APP_PASSWORDS_PER_USER} hashes, bounded pool (after)`, () =>
    Promise.all(Array.from({ length: n }, () => appPasswords.run('tenant', () => matchAppPassword('wrong', hashes)))),
  );
}

void main();

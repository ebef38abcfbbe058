// Preloaded into the auth-provider child by bench/authentications.bench.ts (`node -r`): counts the
// SQL statements the service sends through `pg` (Prisma's driver adapter uses it), by first keyword,
// and answers the IPC message `query-counts` with `{ queryCounts, cpuMicros, systemMicros }` (the process's user+system
// CPU time so far, so the bench can print the service's CPU cost per authentication). (Not a signal: Nest's shutdown
// hooks listen to SIGUSR2 too.) A Map increment per query: no measurable cost.
'use strict';
const { Client } = require('pg');

const counts = new Map();
const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config && config.text) || '';
  const verb = (/^\s*(\w+)/.exec(text)?.[1] ?? '?').toUpperCase();
  counts.set(verb, (counts.get(verb) ?? 0) + 1);
  return query.call(this, config, ...rest);
};
if (process.send) {
  let profiler = null;
  process.on('message', (message) => {
    // BENCH_CPU_PROF: profile only the measured phases (not boot or seeding), through the inspector.
    if (message === 'profile-start' && !profiler) {
      const { Session } = require('node:inspector');
      profiler = new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
      return;
    }
    if (typeof message === 'object' && message?.profileStopTo && profiler) {
      profiler.post('Profiler.stop', (error, result) => {
        if (!error) require('node:fs').writeFileSync(message.profileStopTo, JSON.stringify(result.profile));
        profiler.disconnect();
        profiler = null;
        process.send({ profileWritten: error ? null : message.profileStopTo });
      });
      return;
    }
    if (message !== 'query-counts') return;
    const cpu = process.cpuUsage();
    process.send({
      queryCounts: Object.fromEntries(counts),
      cpuMicros: cpu.user + cpu.system,
      systemMicros: cpu.system,
    });
  });
  // The channel must not keep the service alive on its own.
  process.channel?.unref();
}

// Preloaded into the auth-provider child by bench/authentications.bench.ts (`node -r`): counts the
// SQL statements the service sends through `pg` (Prisma's driver adapter uses it), by first keyword,
// and answers the IPC message `query-counts` with `{ queryCounts, cpuMicros }` (the process's user+system
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
  process.on('message', (message) => {
    if (message !== 'query-counts') return;
    const cpu = process.cpuUsage();
    process.send({ queryCounts: Object.fromEntries(counts), cpuMicros: cpu.user + cpu.system });
  });
  // The channel must not keep the service alive on its own.
  process.channel?.unref();
}

// Preloaded into the auth-provider child by bench/authentications.bench.ts (`node -r`; cluster workers
// inherit it): counts the SQL statements the service sends through `pg` (Prisma's driver adapter uses
// it), by first keyword, and answers the IPC message `query-counts` with
// `{ queryCounts, redisCounts, cpuMicros, systemMicros }` (user+system CPU time so far, so the bench can print the
// service's CPU cost per authentication). With HTTP_PROCESSES > 1 the primary asks every worker and
// sums their answers (its own CPU included). IPC, not a signal: Nest's shutdown hooks listen to
// SIGUSR2 too. A Map increment per query: no measurable cost.
//
// `trace-start` / `trace-stop` (answered with `{ trace }`): every statement sent in between, with
// its text, its values as `pg` puts them on the wire (text form; null stays null), the connection it
// went on, when it was sent and when its answer was in. The bench turns one authentication's trace
// into the pgbench script of the schema's ceiling (a statement sent before the previous one on the
// same connection answered shares its round trip).
'use strict';
const cluster = require('node:cluster');
const { Client } = require('pg');
const { prepareValue } = require('pg/lib/utils');

const counts = new Map();
// Redis commands the service sends (its own clients and BullMQ's), by command name, and how many
// pipelines it executed (an auto-pipelined or explicit pipeline is one write for several commands).
const redisCounts = new Map();
try {
  const { default: Redis, Pipeline } = require('ioredis');
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (command, ...rest) {
    const name = command?.name ?? '?';
    redisCounts.set(name, (redisCounts.get(name) ?? 0) + 1);
    return sendCommand.call(this, command, ...rest);
  };
  const exec = Pipeline.prototype.exec;
  Pipeline.prototype.exec = function (...args) {
    redisCounts.set('(pipeline)', (redisCounts.get('(pipeline)') ?? 0) + 1);
    return exec.apply(this, args);
  };
} catch {
  // ioredis not installed: no Redis figures.
}
let trace = null;
let nextConnection = 1;
const connectionIds = new WeakMap();
const wireValue = (v) => {
  const p = prepareValue(v);
  return Buffer.isBuffer(p) ? `\\x${p.toString('hex')}` : (p ?? null);
};
const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config && config.text) || '';
  const verb = (/^\s*(\w+)/.exec(text)?.[1] ?? '?').toUpperCase();
  counts.set(verb, (counts.get(verb) ?? 0) + 1);
  if (!trace) return query.call(this, config, ...rest);
  if (!connectionIds.has(this)) connectionIds.set(this, `${process.pid}:${nextConnection++}`);
  const values = typeof config === 'string' ? rest[0] : config?.values;
  const entry = {
    text,
    values: Array.isArray(values) ? values.map(wireValue) : [],
    prepared: Boolean(config?.name),
    connection: connectionIds.get(this),
    sentAt: performance.timeOrigin + performance.now(),
    answeredAt: null,
  };
  trace.push(entry);
  const result = query.call(this, config, ...rest);
  const answered = () => (entry.answeredAt = performance.timeOrigin + performance.now());
  if (result && typeof result.then === 'function') result.then(answered, answered);
  return result;
};

function ownFigures() {
  const cpu = process.cpuUsage();
  return {
    queryCounts: Object.fromEntries(counts),
    redisCounts: Object.fromEntries(redisCounts),
    cpuMicros: cpu.user + cpu.system,
    systemMicros: cpu.system,
  };
}

let profiler = null;
// BENCH_CPU_PROF: profile only the measured phases (not boot or seeding), through the inspector.
function startProfile() {
  if (profiler) return;
  const { Session } = require('node:inspector');
  profiler = new Session();
  profiler.connect();
  profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
}
function stopProfile(file, done) {
  if (!profiler) return done(null);
  profiler.post('Profiler.stop', (error, result) => {
    if (!error) require('node:fs').writeFileSync(file, JSON.stringify(result.profile));
    profiler.disconnect();
    profiler = null;
    done(error ? null : file);
  });
}

const workers = () => Object.values(cluster.workers ?? {}).filter(Boolean);

/** Sends `message` to every worker and resolves with their answers (those that answer within 2 s). */
function askWorkers(message, isAnswer) {
  return Promise.all(
    workers().map(
      (worker) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => done(null), 2_000);
          const onMessage = (m) => isAnswer(m) && done(m);
          const done = (m) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            resolve(m);
          };
          worker.on('message', onMessage);
          worker.send(message);
        }),
    ),
  );
}

if (cluster.isWorker) {
  process.on('message', (message) => {
    if (message === 'query-counts') process.send({ workerFigures: ownFigures() });
    else if (message === 'trace-start') trace = [];
    else if (message === 'trace-stop') {
      process.send({ workerTrace: trace ?? [] });
      trace = null;
    } else if (message === 'profile-start') startProfile();
    else if (message?.profileStopTo) {
      const file = message.profileStopTo.replace(/(\.cpuprofile)?$/, `-${process.pid}.cpuprofile`);
      stopProfile(file, (written) => process.send({ workerProfile: written }));
    }
  });
} else if (process.send) {
  process.on('message', async (message) => {
    if (message === 'trace-start') {
      trace = [];
      for (const worker of workers()) worker.send('trace-start');
    } else if (message === 'trace-stop') {
      const answers = await askWorkers('trace-stop', (m) => m && 'workerTrace' in m);
      const all = [...(trace ?? []), ...answers.flatMap((a) => a?.workerTrace ?? [])];
      trace = null;
      process.send({ trace: all.sort((a, b) => a.sentAt - b.sentAt) });
    } else if (message === 'profile-start') {
      if (workers().length === 0) startProfile();
      else for (const worker of workers()) worker.send('profile-start');
    } else if (message?.profileStopTo) {
      if (workers().length === 0) {
        stopProfile(message.profileStopTo, (file) => process.send({ profileWritten: file }));
      } else {
        const files = await askWorkers({ profileStopTo: message.profileStopTo }, (m) => m && 'workerProfile' in m).then(
          (answers) => answers.map((a) => a?.workerProfile).filter(Boolean),
        );
        process.send({ profileWritten: files.length ? files.join(', ') : null });
      }
    } else if (message === 'query-counts') {
      const total = ownFigures();
      const answers = await askWorkers('query-counts', (m) => m && 'workerFigures' in m);
      for (const answer of answers) {
        if (!answer) continue;
        const w = answer.workerFigures;
        total.cpuMicros += w.cpuMicros;
        total.systemMicros += w.systemMicros;
        for (const [verb, n] of Object.entries(w.queryCounts))
          total.queryCounts[verb] = (total.queryCounts[verb] ?? 0) + n;
        for (const [name, n] of Object.entries(w.redisCounts ?? {}))
          total.redisCounts[name] = (total.redisCounts[name] ?? 0) + n;
      }
      process.send(total);
    }
  });
  // The channel must not keep the service alive on its own.
  process.channel?.unref();
}

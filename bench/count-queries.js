// Preloaded into the auth-provider child by bench/authentications.bench.ts (`node -r`; cluster workers
// inherit it): counts the SQL statements the service sends through `pg` (Prisma's driver adapter uses
// it), by first keyword, and answers the IPC message `query-counts` with
// `{ queryCounts, cpuMicros, systemMicros }` (user+system CPU time so far, so the bench can print the
// service's CPU cost per authentication). With HTTP_PROCESSES > 1 the primary asks every worker and
// sums their answers (its own CPU included). IPC, not a signal: Nest's shutdown hooks listen to
// SIGUSR2 too. A Map increment per query: no measurable cost.
'use strict';
const cluster = require('node:cluster');
const { Client } = require('pg');

const counts = new Map();
const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config && config.text) || '';
  const verb = (/^\s*(\w+)/.exec(text)?.[1] ?? '?').toUpperCase();
  counts.set(verb, (counts.get(verb) ?? 0) + 1);
  return query.call(this, config, ...rest);
};

function ownFigures() {
  const cpu = process.cpuUsage();
  return { queryCounts: Object.fromEntries(counts), cpuMicros: cpu.user + cpu.system, systemMicros: cpu.system };
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
    else if (message === 'profile-start') startProfile();
    else if (message?.profileStopTo) {
      const file = message.profileStopTo.replace(/(\.cpuprofile)?$/, `-${process.pid}.cpuprofile`);
      stopProfile(file, (written) => process.send({ workerProfile: written }));
    }
  });
} else if (process.send) {
  process.on('message', async (message) => {
    if (message === 'profile-start') {
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
      }
      process.send(total);
    }
  });
  // The channel must not keep the service alive on its own.
  process.channel?.unref();
}

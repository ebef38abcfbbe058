#!/usr/bin/env node
// Sums V8 .cpuprofile files (BENCH_CPU_PROF=<dir> npm run bench:authentications, or node --cpu-prof) by self time: per function and per package, so a
// benchmark's CPU can be read as "where does the service spend it". Usage:
//   node bench/profile-summary.js <file-or-dir>... [--top 40] [--timeline] [--window <from>,<to>]
// --timeline prints each second's busy time and its busiest package (to find a phase, e.g. the
// measured c50 window after the seed); --window keeps only samples between <from> and <to> seconds
// after each profile's start.
'use strict';
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 40;
const windowAt = args.indexOf('--window');
const window = windowAt >= 0 ? args.splice(windowAt, 2)[1].split(',').map(Number) : null;
const timelineAt = args.indexOf('--timeline');
const timeline = timelineAt >= 0 && args.splice(timelineAt, 1).length > 0;
const seconds = new Map();
const files = args.flatMap((a) =>
  statSync(a).isDirectory()
    ? readdirSync(a)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(a, f))
    : [a],
);
if (files.length === 0) {
  process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile|dir>... [--top n]\n');
  process.exit(2);
}

/** Where a frame's code lives: a package under node_modules, our own source, node's internals, or V8. */
function placeOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(v8/native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return (
      'twofold:' +
      url
        .slice(dist + 6)
        .split('/')
        .slice(0, 3)
        .join('/')
    );
  return url;
}

const byFunction = new Map();
const byPlace = new Map();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  // timeDeltas[i] is the time before samples[i]: attribute it to that sample's node.
  const self = new Map();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const second = Math.floor(at / 1e6);
    if (window && (at / 1e6 < window[0] || at / 1e6 >= window[1])) return;
    self.set(id, (self.get(id) ?? 0) + delta);
    if (timeline) {
      const f = nodes.get(id).callFrame;
      if (f.functionName === '(idle)' || f.functionName === '(program)') return;
      const s = seconds.get(second) ?? { busy: 0, places: new Map() };
      const place = placeOf(f.url, f.functionName);
      s.busy += delta;
      s.places.set(place, (s.places.get(place) ?? 0) + delta);
      seconds.set(second, s);
    }
  });
  for (const [id, us] of self) {
    const { callFrame: f } = nodes.get(id);
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    const place = placeOf(f.url, f.functionName);
    const key = `${f.functionName || '(anonymous)'}  ${place}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    total += us;
  }
}
const print = (title, map) => {
  process.stdout.write(`\n${title} (self time, ${files.length} profile(s), busy ${(total / 1e3).toFixed(0)} ms)\n`);
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([k, us]) =>
      process.stdout.write(
        `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}\n`,
      ),
    );
};
if (timeline)
  for (const [second, s] of [...seconds.entries()].sort((a, b) => a[0] - b[0])) {
    const [place, us] = [...s.places.entries()].sort((a, b) => b[1] - a[1])[0];
    process.stdout.write(
      `${String(second).padStart(4)} s  busy ${(s.busy / 1e3).toFixed(0).padStart(5)} ms  top ${place} ${((100 * us) / s.busy).toFixed(0)}%\n`,
    );
  }
print('by package or place', byPlace);
print('by function', byFunction);

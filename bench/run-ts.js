// Runs a TypeScript file without a build step: `node bench/run-ts.js bench/otp.bench.ts [args...]`
// (libs/platform/testing/register-ts.js does the transpiling and the @twofold/* aliases). The
// script sees its own arguments as process.argv[2...].
'use strict';
const path = require('node:path');
require('../libs/platform/testing/register-ts');

const [script, ...args] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: node bench/run-ts.js <file.ts> [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(script), ...args];
require(path.resolve(script));

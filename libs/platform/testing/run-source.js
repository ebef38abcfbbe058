// Boots a service entrypoint from source in a child process, for tests that kill or signal real
// processes: `node libs/platform/testing/run-source.js apps/billing/src/worker.ts`. Unlike
// bench/run-ts.js it leaves process.argv alone: cluster workers re-run this file with the same
// argument, so HTTP_PROCESSES > 1 works too.
'use strict';
const path = require('node:path');
const { root } = require('./register-ts');

const entry = process.argv[2];
if (!entry) throw new Error('usage: node run-source.js <entrypoint.ts>');
require(path.resolve(root, entry));

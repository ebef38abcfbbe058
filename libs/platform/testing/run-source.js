// Boots a service entrypoint from source in a child process, for tests that kill or signal real
// processes: `node libs/platform/testing/run-source.js apps/billing/src/worker.ts`. Like
// bench/run-ts.js, but with decorator metadata (Nest DI needs it). Cluster workers re-run this file
// with the same argument, so HTTP_PROCESSES > 1 works too.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const entry = process.argv[2];
if (!entry) throw new Error('usage: node run-source.js <entrypoint.ts>');
const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

require(path.resolve(root, entry));

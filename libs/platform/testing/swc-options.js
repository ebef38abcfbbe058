// How TypeScript sources are transpiled when they run without a build: by Jest (@swc/jest) and by
// register-ts.js (benchmarks, and tests that start real service processes). Decorator metadata is
// on because Nest's dependency injection reads it. No side effects: jest.config.js requires this.
'use strict';
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

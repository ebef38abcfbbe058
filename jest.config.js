// @ts-check
const { readFileSync } = require('node:fs');

// Path aliases come from tsconfig.base.json, so the two never disagree.
const { compilerOptions } = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  // *.spec.ts: fast unit tests beside the code; *.test.ts: integration tests on real Postgres/Redis.
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  // The same transpiling as bench/run-ts.js and the service processes tests start (swc-options.js).
  transform: { '^.+\\.ts$': ['@swc/jest', require('./libs/platform/testing/swc-options')] },
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
  testTimeout: 30_000,
  maxWorkers: process.env.CI ? 2 : '50%',
};

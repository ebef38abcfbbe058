#!/usr/bin/env bash
# Runs every test (unit and integration) against the real PostgreSQL and Redis. Installs first on a
# fresh checkout. Extra arguments go to jest (e.g. `npm test -- apps/auth-provider`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
. .ci/env.sh
# Tests create their own databases (a migrated template cloned per test file) on this server.
export TEST_ADMIN_DATABASE_URL="${TEST_ADMIN_DATABASE_URL:-$(node -e 'const u=new URL(process.argv[1]);u.pathname="/postgres";console.log(u.toString())' "$MIGRATION_DATABASE_URL")}"
bash .ci/services.sh
bash .ci/system-tools.sh
if [ "$#" -gt 0 ]; then exec npx jest "$@"; fi
# Two files run on their own, one after the other, once the rest has passed: the delivery tests
# measure a sender's pace in messages per second at the fake Twilio (arrival times that other test
# files' load on both cores skews), and the hot-path plan test seeds a 200,000-authentication history.
serial=(apps/delivery/test/delivery.test.ts libs/hot-path/src/hot-path-plans.test.ts)
npx jest --testPathIgnorePatterns /node_modules/ "${serial[@]}"
# Each in its own run, the pace test first: after the plan test's 200,000-row seed, PostgreSQL's
# autovacuum and checkpoint of it slowed the sender below its pace check (16/s for 20/s) once in CI.
for file in "${serial[@]}"; do npx jest --runInBand "$file"; done

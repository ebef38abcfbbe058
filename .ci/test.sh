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
# The hot-path plan test seeds a 200,000-authentication history: it runs alone after the others, so
# its load does not skew their timing assertions (the delivery pacing test measures arrival times).
npx jest --testPathIgnorePatterns /node_modules/ hot-path-plans
exec npx jest libs/hot-path/src/hot-path-plans.test.ts

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
exec npx jest "$@"

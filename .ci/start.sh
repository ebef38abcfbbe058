#!/usr/bin/env bash
# One command: install, prepare the database, build, and run all four services and their workers.
# Ctrl-C stops every process it started. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

if [ ! -f .env ]; then
  # A local operator key, made once and kept in .env (git-ignored).
  sed "s/^OPERATOR_API_KEY=.*/OPERATOR_API_KEY=op_$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')/" .env.example > .env
  echo "wrote .env with a new local OPERATOR_API_KEY"
fi
. .ci/env.sh
# A developer machine: the services refuse to start without an explicit development (or test) mode
# while the public development secrets are in use (docs/decisions/0021). `npm start` says so here;
# set NODE_ENV=production (and real secrets) in .env to run it otherwise.
export NODE_ENV="${NODE_ENV:-development}"
echo "NODE_ENV=${NODE_ENV}"

bash .ci/services.sh
node .ci/db-ensure.js
echo "applying migrations"
npx prisma migrate deploy
echo "building"
bash .ci/build.sh

echo
echo "Twofold is starting: auth-provider :${AUTH_PROVIDER_PORT:-3000}  delivery :${DELIVERY_PORT:-3001}  billing :${BILLING_PORT:-3002}  reporting :${REPORTING_PORT:-3003}"
echo "API docs: http://127.0.0.1:${AUTH_PROVIDER_PORT:-3000}/docs   operator key: in .env (OPERATOR_API_KEY)"
echo "metrics: GET /metrics on each service; workers on :${DELIVERY_WORKER_METRICS_PORT:-9101} :${BILLING_WORKER_METRICS_PORT:-9102} :${REPORTING_WORKER_METRICS_PORT:-9103} (operator key or METRICS_ALLOW_CIDRS)"
exec npx concurrently --kill-others --kill-signal SIGTERM --names "auth,deliv,deliv-w,bill,bill-w,rep,rep-w" \
  "PORT=${AUTH_PROVIDER_PORT:-3000} node dist/apps/auth-provider/src/main.js" \
  "PORT=${DELIVERY_PORT:-3001} node dist/apps/delivery/src/main.js" \
  "METRICS_PORT=${DELIVERY_WORKER_METRICS_PORT:-9101} node dist/apps/delivery/src/worker.js" \
  "PORT=${BILLING_PORT:-3002} node dist/apps/billing/src/main.js" \
  "METRICS_PORT=${BILLING_WORKER_METRICS_PORT:-9102} node dist/apps/billing/src/worker.js" \
  "PORT=${REPORTING_PORT:-3003} node dist/apps/reporting/src/main.js" \
  "METRICS_PORT=${REPORTING_WORKER_METRICS_PORT:-9103} node dist/apps/reporting/src/worker.js"

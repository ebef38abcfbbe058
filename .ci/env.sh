# Sourced by start.sh, test.sh and .ci/run. Precedence (issue 16 item 5): the environment wins over
# .env, which wins over the defaults below. .env is read, then every variable the caller had already
# exported is put back, so `OPERATOR_API_KEY=… npm start` means what it says.
if [ -f .env ]; then
  __twofold_env="$(export -p)"
  set -a; . ./.env; set +a
  eval "$__twofold_env" 2>/dev/null || true
  unset __twofold_env
fi
export DATABASE_URL="${DATABASE_URL:-postgresql://twofold_app@127.0.0.1:5432/twofold}"
# Migrations run as the owner; by default the same server and database as DATABASE_URL, user postgres.
if [ -z "${MIGRATION_DATABASE_URL:-}" ]; then
  MIGRATION_DATABASE_URL="$(node -e 'const u=new URL(process.argv[1]);u.username="postgres";u.password="";console.log(u.toString())' "$DATABASE_URL")"
fi
export MIGRATION_DATABASE_URL
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export CHECKPOINT_DISABLE=1 SCARF_ANALYTICS=false NX_NO_CLOUD=true NX_DAEMON=false

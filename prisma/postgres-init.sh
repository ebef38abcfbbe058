#!/bin/sh
# Runs once when the compose Postgres volume is created (docker-entrypoint-initdb.d). The migrations
# create the role if it is missing (without a password, for trust-auth servers); here it gets the
# password from TWOFOLD_APP_PASSWORD first, which compose requires (no default password).
set -eu
: "${TWOFOLD_APP_PASSWORD:?TWOFOLD_APP_PASSWORD is required}"
psql -v ON_ERROR_STOP=1 -v pw="$TWOFOLD_APP_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE twofold_app LOGIN NOINHERIT PASSWORD :'pw';
SQL

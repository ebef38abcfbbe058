#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis that DATABASE_URL/REDIS_URL point at answer. When they point
# at this machine and are down, starts the local servers (the Debian packages this machine has).
set -euo pipefail

pg_host() { node -e 'const u=new URL(process.argv[1]);console.log(u.hostname+" "+(u.port||5432))' "$1"; }
redis_host() { node -e 'const u=new URL(process.argv[1]);console.log(u.hostname+" "+(u.port||6379))' "$1"; }
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() { # host port name
  for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done
  echo "$3 at $1:$2 does not answer" >&2; return 1
}

ensure_postgres() {
  read -r host port < <(pg_host "${MIGRATION_DATABASE_URL:-$DATABASE_URL}")
  if ! port_open "$host" "$port"; then
    if is_local "$host" && command -v pg_ctlcluster >/dev/null; then
      echo "starting local PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
    wait_port "$host" "$port" PostgreSQL
  fi
}

ensure_redis() {
  read -r host port < <(redis_host "$REDIS_URL")
  if ! port_open "$host" "$port"; then
    if is_local "$host" && command -v redis-server >/dev/null; then
      echo "starting local Redis"
      redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no >/dev/null
    fi
    wait_port "$host" "$port" Redis
  fi
}

ensure_postgres
ensure_redis

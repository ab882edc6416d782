#!/usr/bin/env bash
# The local stateful stack: Postgres 15, Redis 7 and the PGlite vector store (pgvector), each on a fixed
# loopback port with its data under .fathom/ in the repo. Idempotent: what already runs is reused.
#   scripts/stack.sh up|down|status|env
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.fathom"
PG_PORT=54329
REDIS_PORT=63799
VECTOR_PORT=54339
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"

log() { printf '\033[1;34m[stack]\033[0m %s\n' "$*"; }

as_db_user() {
  # Postgres refuses to run as root; on a root shell use Debian's postgres account.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 150); do port_open "$port" && return 0; sleep 0.2; done
  log "$name did not open port $port; see $DATA/logs/"; return 1
}

install() {
  local need=()
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ] || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  command -v openssl >/dev/null || need+=(openssl)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} (apt-get)"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts its own cluster and redis on the default ports; ours run beside them, on our ports.
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  fi
  if [ ! -d "$ROOT/tools/VectorStore/node_modules/@electric-sql/pglite-socket" ]; then
    log "installing PGlite (npm ci)"
    (cd "$ROOT/tools/VectorStore" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

secret() { openssl rand -hex 24; }

start_postgres() {
  local dir="$DATA/postgres"
  if port_open $PG_PORT; then log "postgres already on :$PG_PORT"; return; fi
  mkdir -p "$DATA/logs" "$DATA/run"
  if [ ! -s "$DATA/postgres.password" ]; then secret > "$DATA/postgres.password"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "initialising postgres in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir" "$DATA/run" && chmod 755 "$DATA" && chown postgres "$DATA/postgres.password"
    as_db_user "$PG_BIN/initdb" -D "$dir" -U fathom --auth=scram-sha-256 --pwfile="$DATA/postgres.password" -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir" "$DATA/run" && touch "$DATA/logs/postgres.log" && chown postgres "$DATA/logs/postgres.log"
  log "starting postgres on 127.0.0.1:$PG_PORT"
  as_db_user "$PG_BIN/pg_ctl" -D "$dir" -l "$DATA/logs/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DATA/run -c max_connections=300 -c fsync=off -c synchronous_commit=off" start >/dev/null
  local pw; pw=$(cat "$DATA/postgres.password")
  [ "$(PGPASSWORD="$pw" psql -h 127.0.0.1 -p $PG_PORT -U fathom -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='fathom'")" = 1 ] \
    || PGPASSWORD="$pw" psql -h 127.0.0.1 -p $PG_PORT -U fathom -d postgres -qc "CREATE DATABASE fathom"
}

start_redis() {
  if port_open $REDIS_PORT; then log "redis already on :$REDIS_PORT"; return; fi
  mkdir -p "$DATA/redis" "$DATA/logs"
  if [ ! -s "$DATA/redis.password" ]; then secret > "$DATA/redis.password"; fi
  log "starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir "$DATA/redis" --daemonize yes \
    --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/logs/redis.log" --appendonly yes \
    --requirepass "$(cat "$DATA/redis.password")" --save "60 1000"
  wait_port $REDIS_PORT redis
}

start_vectorstore() {
  if port_open $VECTOR_PORT; then log "vector store already on :$VECTOR_PORT"; return; fi
  mkdir -p "$DATA/vectorstore" "$DATA/logs"
  log "starting PGlite vector store (pgvector) on 127.0.0.1:$VECTOR_PORT"
  # -m: connections accepted at once; PGlite still runs their statements one at a time.
  nohup node "$ROOT/tools/VectorStore/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js" \
    -d "$DATA/vectorstore" -p $VECTOR_PORT -h 127.0.0.1 -e vector -m 64 \
    >"$DATA/logs/vectorstore.log" 2>&1 &
  echo $! > "$DATA/vectorstore.pid"
  wait_port $VECTOR_PORT "vector store"
}

print_env() {
  local pg redis
  pg=$(cat "$DATA/postgres.password"); redis=$(cat "$DATA/redis.password")
  echo "PostgresConnection=Host=127.0.0.1;Port=$PG_PORT;Username=fathom;Password=$pg;Database=fathom;Maximum Pool Size=50"
  echo "RedisConnection=127.0.0.1:$REDIS_PORT,password=$redis"
  echo "VectorStoreConnection=Host=127.0.0.1;Port=$VECTOR_PORT;Username=postgres;Database=postgres;SSL Mode=Disable;Maximum Pool Size=8;Timeout=30;Command Timeout=120"
}

stop_all() {
  if [ -f "$DATA/postgres/PG_VERSION" ] && port_open $PG_PORT; then
    log "stopping postgres"; as_db_user "$PG_BIN/pg_ctl" -D "$DATA/postgres" -m fast -w stop >/dev/null || true
  fi
  if port_open $REDIS_PORT; then
    log "stopping redis"; redis-cli -p $REDIS_PORT -a "$(cat "$DATA/redis.password")" --no-auth-warning shutdown >/dev/null 2>&1 || true
  fi
  if [ -f "$DATA/vectorstore.pid" ]; then
    log "stopping vector store"; kill "$(cat "$DATA/vectorstore.pid")" 2>/dev/null || true; rm -f "$DATA/vectorstore.pid"
    for _ in $(seq 1 50); do port_open $VECTOR_PORT || break; sleep 0.1; done
  fi
}

status() {
  for s in "postgres:$PG_PORT" "redis:$REDIS_PORT" "vectorstore:$VECTOR_PORT"; do
    if port_open "${s#*:}"; then echo "${s%%:*} up on 127.0.0.1:${s#*:}"; else echo "${s%%:*} down"; fi
  done
}

case "${1:-up}" in
  up) install; mkdir -p "$DATA"; start_postgres; start_redis; start_vectorstore; print_env > "$DATA/stack.env"; log "stack ready (settings in .fathom/stack.env)";;
  down) stop_all;;
  status) status;;
  env) print_env;;
  *) echo "usage: scripts/stack.sh up|down|status|env" >&2; exit 2;;
esac

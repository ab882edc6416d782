#!/usr/bin/env bash
# The local stateful stack: Postgres 15 (with pgvector, built from Debian's source package) and Redis 7, each on a
# fixed loopback port with its data under .fathom/ in the repo. The vector store is its own database on that server
# (fathom_vectors), reached through its own setting, as the cluster's separate vectorstore StatefulSet is.
# Idempotent: what already runs is reused. FATHOM_STACK_DIR, FATHOM_PG_PORT and FATHOM_REDIS_PORT run a second,
# private stack beside it (the fault-injection tests stop and restart theirs without touching anyone else's).
#   scripts/stack.sh up|down|status|env | stop postgres|redis
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${FATHOM_STACK_DIR:-$ROOT/.fathom}"
PG_PORT="${FATHOM_PG_PORT:-54329}"
REDIS_PORT="${FATHOM_REDIS_PORT:-63799}"
VECTOR_DB=fathom_vectors
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
# Loopback only, no durability needed for a development stack. The vector store shares the server: shared_buffers
# holds a 100k-chunk HNSW index; an index build sets its own memory (ChunkStore).
PG_SETTINGS="-c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB"
PG_SETTINGS+=" -c maintenance_work_mem=256MB -c max_parallel_maintenance_workers=2 -c max_worker_processes=16"

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
  command -v openssl >/dev/null || need+=(openssl)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} (apt-get)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts its own cluster and redis on the default ports; ours run beside them, on our ports.
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  fi
  install_pgvector
}

# pgvector has no bookworm binary package, but Debian's archive carries its source package (0.8.0 in trixie's
# sources). apt fetches it by name through a private source list and list directory passed as -o options, so the
# machine's own apt configuration and package lists are not touched; it is built with PGXS and installed.
install_pgvector() {
  local major; major=$(basename "$(dirname "$PG_BIN")")
  [ -f "/usr/share/postgresql/$major/extension/vector.control" ] && return
  local work="$DATA/build/pgvector"
  log "building pgvector from Debian's source package (apt-get source, PGXS; about a minute)"
  mkdir -p "$work/lists/partial"
  local mirror
  mirror=$(grep -hoE '^(URIs:|deb) +\S+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | awk '{print $2}' | grep -v security | head -n1 || true)
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror:-http://deb.debian.org/debian} trixie main" > "$work/sources.list"
  local apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/lists" -o APT::Get::List-Cleanup=0)
  local need=()
  [ -x "/usr/lib/postgresql/$major/bin/pg_config" ] && [ -d "/usr/include/postgresql/$major/server" ] || need+=("postgresql-server-dev-$major")
  command -v make >/dev/null && command -v gcc >/dev/null && command -v dpkg-source >/dev/null || need+=(build-essential dpkg-dev)
  if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  $SUDO apt-get update -qq "${apt_opts[@]}"
  rm -rf "$work/src" && mkdir -p "$work/src"
  # dpkg-source applies Debian's patches (no -march=native: the build runs on any x86-64).
  (cd "$work/src" && apt-get source -qq --download-only "${apt_opts[@]}" pgvector >"$work/source.log" 2>&1 \
    && dpkg-source -x --no-check ./pgvector_*.dsc pgvector >>"$work/source.log" 2>&1) \
    || { log "could not fetch pgvector's source package: see $work/source.log"; exit 1; }
  local config="/usr/lib/postgresql/$major/bin/pg_config"
  { make -C "$work/src/pgvector" PG_CONFIG="$config" -j"$(nproc)" && $SUDO make -C "$work/src/pgvector" PG_CONFIG="$config" install; } \
    >"$work/build.log" 2>&1 || { log "pgvector did not build: see $work/build.log"; exit 1; }
  log "pgvector $(sed -n 's/^default_version = .\(.*\)./\1/p' "$work/src/pgvector/vector.control") installed"
}

secret() { openssl rand -hex 24; }

start_postgres() {
  local dir="$DATA/postgres"
  if port_open $PG_PORT; then
    [ -s "$DATA/postgres.password" ] || { log "port $PG_PORT is taken by a server this checkout did not start (another clone's stack?): stop it, or set FATHOM_PG_PORT"; exit 1; }
    log "postgres already on :$PG_PORT"; return
  fi
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
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DATA/run $PG_SETTINGS" start >/dev/null
}

# The system of record and the vector store: two databases, each with its own connection setting.
create_databases() {
  local pw; pw=$(cat "$DATA/postgres.password")
  local db
  for db in fathom $VECTOR_DB; do
    [ "$(PGPASSWORD="$pw" psql -h 127.0.0.1 -p $PG_PORT -U fathom -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ] \
      || PGPASSWORD="$pw" psql -h 127.0.0.1 -p $PG_PORT -U fathom -d postgres -qc "CREATE DATABASE $db"
  done
  PGPASSWORD="$pw" psql -h 127.0.0.1 -p $PG_PORT -U fathom -d $VECTOR_DB -qc "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
}

start_redis() {
  if port_open $REDIS_PORT; then
    [ -s "$DATA/redis.password" ] || { log "port $REDIS_PORT is taken by a server this checkout did not start: stop it, or set FATHOM_REDIS_PORT"; exit 1; }
    log "redis already on :$REDIS_PORT"; return
  fi
  mkdir -p "$DATA/redis" "$DATA/logs"
  if [ ! -s "$DATA/redis.password" ]; then secret > "$DATA/redis.password"; fi
  log "starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir "$DATA/redis" --daemonize yes \
    --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/logs/redis.log" --appendonly yes \
    --requirepass "$(cat "$DATA/redis.password")" --save "60 1000"
  wait_port $REDIS_PORT redis
}

print_env() {
  local pg redis
  pg=$(cat "$DATA/postgres.password"); redis=$(cat "$DATA/redis.password")
  echo "PostgresConnection=Host=127.0.0.1;Port=$PG_PORT;Username=fathom;Password=$pg;Database=fathom;Maximum Pool Size=50"
  echo "RedisConnection=127.0.0.1:$REDIS_PORT,password=$redis"
  echo "VectorStoreConnection=Host=127.0.0.1;Port=$PG_PORT;Username=fathom;Password=$pg;Database=$VECTOR_DB;Maximum Pool Size=50"
}

stop_postgres() {
  if [ -f "$DATA/postgres/PG_VERSION" ] && port_open $PG_PORT; then
    log "stopping postgres"; as_db_user "$PG_BIN/pg_ctl" -D "$DATA/postgres" -m fast -w stop >/dev/null || true
  fi
}

stop_redis() {
  if port_open $REDIS_PORT; then
    log "stopping redis"; redis-cli -p $REDIS_PORT -a "$(cat "$DATA/redis.password")" --no-auth-warning shutdown >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do port_open $REDIS_PORT || break; sleep 0.1; done
  fi
}

# Until 2026-11 the vector store was PGlite on :54339; a checkout that still runs it gets it stopped. Its chunks are
# not carried over: reindex documents (POST .../documents/{id}/reindex) or upload them again.
stop_pglite() {
  if [ -f "$DATA/vectorstore.pid" ]; then
    log "stopping the retired PGlite vector store"; kill "$(cat "$DATA/vectorstore.pid")" 2>/dev/null || true; rm -f "$DATA/vectorstore.pid"
  fi
}

status() {
  for s in "postgres:$PG_PORT" "redis:$REDIS_PORT"; do
    if port_open "${s#*:}"; then echo "${s%%:*} up on 127.0.0.1:${s#*:}"; else echo "${s%%:*} down"; fi
  done
}

case "${1:-up}" in
  up) install; mkdir -p "$DATA"; stop_pglite; start_postgres; create_databases; start_redis; print_env > "$DATA/stack.env"; log "stack ready (settings in $DATA/stack.env)";;
  down) stop_postgres; stop_redis; stop_pglite;;
  stop) case "${2:-}" in postgres) stop_postgres;; redis) stop_redis;; *) echo "usage: scripts/stack.sh stop postgres|redis" >&2; exit 2;; esac;;
  status) status;;
  env) print_env;;
  *) echo "usage: scripts/stack.sh up|down|status|env | stop postgres|redis" >&2; exit 2;;
esac

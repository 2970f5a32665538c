#!/usr/bin/env bash
# The ERP database for development and tests.
#
#   scripts/postgres.sh start    prints a DATABASE_URL whose database exists
#   scripts/postgres.sh stop     stops the project-local cluster (never a DATABASE_URL one)
#   scripts/postgres.sh status   prints where the cluster is and whether it runs
#
# `start` uses $DATABASE_URL when that server answers. Otherwise it creates (once) and starts
# a project-local cluster: initdb in .data/pg, TCP on 127.0.0.1 only, trust auth, user
# `postgres` (a superuser, so tests can create databases of their own), database vitrine_orders.
# As root the cluster runs as the `postgres` OS user (initdb refuses root); when that user
# cannot reach the repo (e.g. a clone under /root) the cluster lives in
# /var/tmp/vitrine-pg-<hash of the repo path> instead. VITRINE_PG_DIR overrides the place.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME=vitrine_orders
PREFERRED_PORT=${VITRINE_PG_PORT:-55432}
IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

# Where the cluster lives: .data/pg when the server's OS user can reach it.
pg_base() {
  if [[ -n ${VITRINE_PG_DIR:-} ]]; then
    echo "$VITRINE_PG_DIR"
  elif ((IS_ROOT)) && ! (cd / && runuser -u postgres -- test -x "$REPO") 2>/dev/null; then
    echo "/var/tmp/vitrine-pg-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
  else
    echo "$DATA_DIR/pg"
  fi
}
BASE=$(pg_base)
PGDATA_DIR=$BASE/data
PG_LOG=$BASE/postgres.log

# Run a server-side command as the cluster's owner (from / so it never trips on an unreadable cwd).
as_owner() {
  if ((IS_ROOT)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Directory with initdb/pg_ctl: the cluster's own major version first, then the newest installed.
find_pg_bin() {
  local d want=""
  [[ -f $PGDATA_DIR/PG_VERSION ]] && want=$(<"$PGDATA_DIR/PG_VERSION")
  if [[ -n $want && -x /usr/lib/postgresql/$want/bin/pg_ctl ]]; then
    echo "/usr/lib/postgresql/$want/bin"
    return 0
  fi
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -V -r) \
    "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")" \
    /usr/local/pgsql/bin /opt/homebrew/bin /usr/local/bin; do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_pg_bin() {
  PG_BIN=$(find_pg_bin) && return 0
  if ((IS_ROOT)) && command -v apt-get >/dev/null; then
    log "postgres: server binaries not found; installing the Debian package postgresql (log: $LOG_DIR/apt-postgresql.log)"
    ensure_dirs
    {
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql ||
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }
    } >"$LOG_DIR/apt-postgresql.log" 2>&1 || true
    PG_BIN=$(find_pg_bin) && return 0
  fi
  die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to a database you can use."
}

# psql from the cluster's bin dir when we have one, else from PATH.
psql_cmd() {
  if [[ -n ${PG_BIN:-} && -x $PG_BIN/psql ]]; then
    "$PG_BIN/psql" "$@"
  elif command -v psql >/dev/null; then
    psql "$@"
  else
    return 127
  fi
}

local_running() {
  [[ -f $PGDATA_DIR/postmaster.pid ]] || return 1
  PG_BIN=${PG_BIN:-$(find_pg_bin)} || return 1
  as_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

# Port of the running cluster: line 4 of postmaster.pid.
running_port() { sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null; }

local_url() { echo "postgres://postgres@127.0.0.1:$1/$DB_NAME"; }

# The same server URL with another database name (to create a missing database).
url_with_db() {
  node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$1" "$2"
}

init_cluster() {
  if [[ -f $PGDATA_DIR/PG_VERSION ]]; then return 0; fi
  if [[ -d $PGDATA_DIR ]] && [[ -n $(ls -A "$PGDATA_DIR" 2>/dev/null) ]]; then
    die "$PGDATA_DIR is not empty but holds no cluster (an interrupted initdb?); remove it and retry"
  fi
  mkdir -p "$BASE"
  if ((IS_ROOT)); then
    # The server's user must be able to traverse to its data directory.
    [[ $BASE == "$DATA_DIR/pg" ]] && chmod a+x "$DATA_DIR"
    chown postgres: "$BASE"
  fi
  log "postgres: creating a local cluster in $PGDATA_DIR"
  as_owner "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --no-locale >"$BASE/initdb.log" 2>&1 ||
    {
      log_tail "$BASE/initdb.log"
      die "initdb failed (log: $BASE/initdb.log)"
    }
}

start_local() {
  ensure_pg_bin
  init_cluster
  local port sock
  if local_running; then
    port=$(running_port)
  else
    port=$(pick_port "$(cat "$BASE/port" 2>/dev/null || true)" "$PREFERRED_PORT")
    # Unix socket paths are limited to ~107 bytes; fall back to /tmp for deep repo paths.
    sock=$BASE/sock
    ((${#sock} > 80)) && sock=/tmp
    if [[ $sock != /tmp ]]; then
      mkdir -p "$sock"
      ((IS_ROOT)) && chown postgres: "$sock"
    fi
    log "postgres: starting the local cluster on 127.0.0.1:$port"
    if ! as_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sock' -c max_connections=300" start >/dev/null; then
      log_tail "$PG_LOG"
      die "the local Postgres cluster did not start (log: $PG_LOG)"
    fi
    echo "$port" >"$BASE/port" 2>/dev/null || true # remembered: the next start prefers it
  fi
  ensure_dirs
  ln -sfn "$PG_LOG" "$LOG_DIR/postgres.log"
  if ! psql_cmd -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    psql_cmd -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null ||
      die "could not create database $DB_NAME on 127.0.0.1:$port"
    log "postgres: created database $DB_NAME"
  fi
  echo local >"$RUN_DIR/postgres.mode"
  local_url "$port"
}

# A DATABASE_URL that answers: use it (creating its database if the server lacks it).
try_external() {
  local url=$DATABASE_URL err
  # The URL of our own running cluster (e.g. from a sourced .data/stack.env) is not external.
  if local_running 2>/dev/null && [[ $url == "$(local_url "$(running_port)")" ]]; then
    return 1
  fi
  if ! err=$(psql_cmd "$url" -Atqc 'SELECT 1' 2>&1 >/dev/null); then
    err=$(head -n 3 <<<"$err" | tr '\n' ' ')
    if [[ $err == *"does not exist"* && $err == *database* ]]; then
      local db
      db=$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$url")
      psql_cmd "$(url_with_db "$url" postgres)" -qc "CREATE DATABASE \"$db\"" >/dev/null ||
        die "DATABASE_URL's server answers but database $db is missing and could not be created"
      log "postgres: created database $db on the DATABASE_URL server"
    else
      log "postgres: DATABASE_URL does not answer ($err); using the project-local cluster instead"
      return 1
    fi
  fi
  echo external >"$RUN_DIR/postgres.mode"
  echo "$url"
}

cmd_start() {
  ensure_dirs
  if [[ -n ${DATABASE_URL:-} ]]; then
    try_external && return 0
  fi
  start_local
}

cmd_stop() {
  if local_running; then
    as_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
    log "stopped postgres (local cluster)"
  fi
  rm -f "$RUN_DIR/postgres.mode"
}

cmd_status() {
  if local_running; then
    echo "postgres  running  $(local_url "$(running_port)")  (data: $PGDATA_DIR)"
  else
    echo "postgres  stopped  (data: $PGDATA_DIR)"
    return 1
  fi
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: scripts/postgres.sh start|stop|status" ;;
esac

# shellcheck shell=bash
# shellcheck disable=SC2034 # the paths below are for the scripts that source this file
# Shared helpers for the service scripts. Source it; do not run it.
# Everything the scripts leave behind lives under .data/ (git-ignored):
#   .data/run/   pid files and small state files     .data/logs/  one log per service
#   .data/pg/    the project-local Postgres cluster   .data/stack.env  the stack's env (KEY=value)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=$REPO/scripts
DATA_DIR=$REPO/.data
RUN_DIR=$DATA_DIR/run
LOG_DIR=$DATA_DIR/logs
STACK_ENV=$DATA_DIR/stack.env
TSX=$REPO/node_modules/.bin/tsx

log() { printf '%s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

ensure_dirs() { mkdir -p "$RUN_DIR" "$LOG_DIR"; }

# Node 24 LTS first on PATH, for every script and what it starts (npm too: it runs on the first
# node on PATH). scripts/node.sh installs it under .tools/node when the machine's node is older.
ensure_node() {
  [[ -n ${VITRINE_NODE_BIN:-} && $PATH == "$VITRINE_NODE_BIN:"* ]] && return 0
  VITRINE_NODE_BIN=$(bash "$SCRIPTS/node.sh") || exit 1
  [[ $PATH == "$VITRINE_NODE_BIN:"* ]] || PATH=$VITRINE_NODE_BIN:$PATH
  export PATH VITRINE_NODE_BIN
}
ensure_node

# A fresh clone has no node_modules, and a changed package-lock.json wants them again (npm ci
# leaves its own copy of the lock file in node_modules). Progress on stderr.
ensure_node_modules() {
  local copy=$REPO/node_modules/.package-lock.json
  [[ -x $TSX && -f $copy && ! $REPO/package-lock.json -nt $copy ]] && return 0
  log "installing the npm packages (npm ci)"
  (cd "$REPO" && npm ci --no-audit --no-fund >&2) || die "npm ci failed"
}

# dist/ (npm run build) rebuilt when a source is newer than the last build, so that the scripts
# never run stale code.
ensure_build() {
  ensure_node_modules
  local stamp=$REPO/dist/.build-stamp newer
  if [[ -f $stamp ]]; then
    newer=$(find "$REPO/src" "$REPO/package-lock.json" "$REPO/tsconfig.json" "$REPO/tsconfig.build.json" -newer "$stamp" -print -quit 2>/dev/null)
    [[ -z $newer ]] && return 0
  fi
  log "building dist/ (npm run build)"
  bash "$SCRIPTS/build.sh" >&2 || die "npm run build failed"
}

# Last lines of a log, indented, for error messages.
log_tail() {
  if [[ -f $1 ]]; then tail -n "${2:-20}" "$1" | sed 's/^/    /' >&2; fi
}

# Small Node helpers: node is always there (the project runs on it), and it can bind a
# socket, which is the only honest "is this port free" test.
port_free() {
  node -e '
    const s = require("net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close(() => process.exit(0)));
  ' "$1" 2>/dev/null
}

# pick_port PREFERRED... : the first preferred port that is free, else one the OS hands out.
pick_port() {
  local p
  for p in "$@"; do
    [[ -n $p ]] && port_free "$p" && { echo "$p"; return 0; }
  done
  node -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });
  '
}

# Command line of a live process ("" if gone), used to make sure a pid file still names our process.
proc_args() {
  if [[ -r /proc/$1/cmdline ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -p "$1" -o args= 2>/dev/null || true
  fi
}

# running NAME MARKER : true when .data/run/NAME.pid names a live process whose command line has MARKER.
running() {
  local pidfile=$RUN_DIR/$1.pid pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(proc_args "$pid") == *"$2"* ]]
}

# start_bg NAME LOGFILE CMD... : start CMD detached in its own session (so Ctrl-C in the
# terminal that ran `up` does not kill it and `stop_bg` can end its whole process group).
start_bg() {
  local name=$1 logfile=$2
  shift 2
  ensure_dirs
  printf '\n=== %s: %s\n' "$(date '+%F %T')" "$*" >>"$logfile"
  if command -v setsid >/dev/null; then
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
  else
    "$@" </dev/null >>"$logfile" 2>&1 &
  fi
  echo $! >"$RUN_DIR/$name.pid"
}

# stop_bg NAME MARKER : TERM the process group, then KILL after a grace period.
stop_bg() {
  local name=$1 marker=$2 pid i
  if ! running "$name" "$marker"; then
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  pid=$(<"$RUN_DIR/$name.pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in 15 s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
  log "stopped $name"
}

# wait_until SECONDS CMD... : poll CMD every half second until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# HTTP GET answered 2xx (node's fetch, so curl is not required).
http_ok() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
  ' "$1" 2>/dev/null
}

# Read KEY=value lines (from a state file or a script's output) into the current shell.
load_env_lines() {
  local k v
  while IFS='=' read -r k v; do
    [[ $k =~ ^[A-Z_][A-Z0-9_]*$ ]] && printf -v "$k" '%s' "$v" && export "${k?}"
  done
}

# use_stack NAME: the stack the scripts' tests and measurements run on. A stack that is already up
# is used and left running; otherwise one is started (without its worker: the caller starts the
# workers it needs) and stopped when the script exits, whatever the outcome. Then the stack's env
# (.data/stack.env) is exported. NAME prefixes the log lines.
# stack_settings NAME: with DATABASE_URL unset, the running stack's settings (.data/stack.env)
# for the backoffice or the hook receiver started by hand; without either, one line and exit 1.
stack_settings() {
  [[ -z ${DATABASE_URL:-} ]] || return 0
  if [[ -f $STACK_ENV ]] && bash "$SCRIPTS/stack.sh" status --quiet; then
    log "$1: using the running stack (.data/stack.env)"
    set -a
    # shellcheck disable=SC1090
    . "$STACK_ENV"
    set +a
  else
    die "DATABASE_URL is not set and the stack is not up: run npm run stack:up, or set DATABASE_URL (and TEMPORAL_ADDRESS)"
  fi
}

use_stack() {
  STACK_USER=$1
  STARTED_STACK=0
  trap _stop_started_stack EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if bash "$SCRIPTS/stack.sh" status --quiet && [[ -n ${TEMPORAL_MODE:-} && $(cat "$RUN_DIR/temporal.mode" 2>/dev/null || echo dev) != "$TEMPORAL_MODE" ]]; then
    die "$STACK_USER: the running stack's Temporal is $(cat "$RUN_DIR/temporal.mode" 2>/dev/null || echo dev), not $TEMPORAL_MODE: stop it first (npm run stack:down)"
  fi
  if ! bash "$SCRIPTS/stack.sh" status --quiet; then
    STARTED_STACK=1
    log "$STACK_USER: starting the stack (it will be stopped afterwards)"
    bash "$SCRIPTS/stack.sh" up --no-worker >/dev/null
  else
    log "$STACK_USER: using the running stack"
  fi
  set -a
  # shellcheck disable=SC1090
  . "$STACK_ENV"
  set +a
}

_stop_started_stack() {
  local rc=$?
  trap - EXIT INT TERM
  if ((STARTED_STACK)); then
    bash "$SCRIPTS/stack.sh" down || log "$STACK_USER: stopping the stack failed; run npm run stack:down"
  fi
  exit "$rc"
}

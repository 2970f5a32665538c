#!/usr/bin/env bash
# The whole local stack: Postgres, Temporal dev server, VTEX platform simulator, the hook receiver
# and a worker.
#
#   scripts/stack.sh up [--no-worker] [--cluster]
#                                       start what is not running yet (reuses what is), run the
#                                       ERP migrations, write .data/stack.env; --cluster (or
#                                       TEMPORAL_MODE=cluster): a Temporal cluster on the project's
#                                       Postgres (scripts/temporal-cluster.sh) instead of the dev server
#   scripts/stack.sh down               stop what `up` started (a DATABASE_URL server is left alone)
#   scripts/stack.sh status [--quiet]   exit 0 when Postgres, Temporal and the simulator all run
#
# Use the services from a shell with:  set -a; . .data/stack.env; set +a
# Logs are in .data/logs/, pid files in .data/run/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

# The compiled entry points (npm run build; `up` builds when a source is newer than dist/).
SIM_MAIN=dist/simulator/main.js
# The worker runs under scripts/supervise.sh: its command line names it.
WORKER_MAIN="supervise.sh worker"
HOOKS_MAIN=dist/hooks/main.js
MIGRATE_MAIN=dist/erp/migrate.js
PREFERRED_SIM_PORT=${SIMULATOR_PORT:-8787} # the simulator's own default
PREFERRED_HOOKS_PORT=${HOOKS_PORT:-8790}   # the receiver's own default

# The worker's task queue: $TASK_QUEUE as the worker reads it, else the one in src/shared/ids.ts.
task_queue() {
  local q
  q=$(sed -n "s/^export const TASK_QUEUE = '\(.*\)';.*/\1/p" "$REPO/src/shared/ids.ts" 2>/dev/null || true)
  echo "${TASK_QUEUE:-${q:-vitrine-orders}}"
}

# Start NAME (with MARKER in its command line) unless it already runs with the same settings.
# The settings are remembered next to its pid, so a service started against an older
# Postgres or Temporal address is restarted instead of reused.
reuse_or_stop() {
  local name=$1 marker=$2 settings=$3
  if running "$name" "$marker" && [[ $(cat "$RUN_DIR/$name.settings" 2>/dev/null) == "$settings" ]]; then
    return 0
  fi
  stop_bg "$name" "$marker" 2>/dev/null
  return 1
}

# wait_started NAME MARKER TIMEOUT LOGFILE CHECK... : wait until CHECK succeeds while the
# process still lives; on failure show the end of its log.
wait_started() {
  local name=$1 marker=$2 timeout=$3 logfile=$4 deadline
  shift 4
  local pid
  pid=$(<"$RUN_DIR/$name.pid")
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$logfile"
      rm -f "$RUN_DIR/$name.pid"
      die "$name exited during startup (log: $logfile)"
    fi
    if ((SECONDS >= deadline)); then
      log_tail "$logfile"
      stop_bg "$name" "$marker" 2>/dev/null || true
      die "$name did not become ready in ${timeout}s (log: $logfile)"
    fi
    sleep 0.5
  done
}

start_postgres() {
  DATABASE_URL=$(bash "$SCRIPTS/postgres.sh" start)
  export DATABASE_URL
}

start_temporal() {
  local out script=temporal.sh other=temporal-cluster.sh
  if [[ ${TEMPORAL_MODE:-dev} == cluster ]]; then script=temporal-cluster.sh other=temporal.sh; fi
  # Both listen on 7233: the other mode's server goes first.
  bash "$SCRIPTS/$other" stop >/dev/null 2>&1 || true
  echo "${TEMPORAL_MODE:-dev}" >"$RUN_DIR/temporal.mode"
  out=$(bash "$SCRIPTS/$script" start)
  load_env_lines <<<"$out"
  [[ -n ${TEMPORAL_ADDRESS:-} ]] || die "scripts/temporal.sh start printed no TEMPORAL_ADDRESS"
}

run_migrations() {
  log "stack: migrating the ERP database"
  if ! node "$MIGRATE_MAIN" latest >"$LOG_DIR/migrate.log" 2>&1; then
    log_tail "$LOG_DIR/migrate.log"
    die "migrations failed (log: $LOG_DIR/migrate.log)"
  fi
}

start_simulator() {
  # Reused only while it runs the code of the current build.
  if running simulator "$SIM_MAIN" && [[ -f $RUN_DIR/simulator.env && $(cat "$RUN_DIR/simulator.build" 2>/dev/null) == "$(build_stamp)" ]]; then
    load_env_lines <"$RUN_DIR/simulator.env"
    http_ok "$SIMULATOR_URL/_sim/health" && return 0
  fi
  stop_bg simulator "$SIM_MAIN" 2>/dev/null
  local port
  # A stable port keeps vitrines registered against the simulator (the demo's) valid.
  port=$(pick_port "$(sed -n 's/^SIMULATOR_PORT=//p' "$RUN_DIR/simulator.last" 2>/dev/null || true)" "$PREFERRED_SIM_PORT")
  SIMULATOR_URL=http://127.0.0.1:$port
  log "stack: starting the platform simulator on $SIMULATOR_URL"
  start_bg simulator "$LOG_DIR/simulator.log" node "$SIM_MAIN" --port "$port" --host 127.0.0.1
  wait_started simulator "$SIM_MAIN" 60 "$LOG_DIR/simulator.log" http_ok "$SIMULATOR_URL/_sim/health"
  echo "SIMULATOR_URL=$SIMULATOR_URL" >"$RUN_DIR/simulator.env"
  build_stamp >"$RUN_DIR/simulator.build"
  echo "SIMULATOR_PORT=$port" >"$RUN_DIR/simulator.last"
}

# When dist/ was built: a service started from an older build is restarted.
build_stamp() { cat "$REPO/dist/.build-stamp" 2>/dev/null || true; }

# A worker polls the task queue once Temporal lists it among the queue's pollers.
worker_polling() {
  "$TEMPORAL_BIN" task-queue describe --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
    --task-queue "$(task_queue)" --command-timeout 5s -o json 2>/dev/null |
    node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const j = JSON.parse(s);
        const pollers = [j.pollers, ...(j.stats ?? []).map((x) => x.pollers)].flat().filter(Boolean);
        process.exit(pollers.length > 0 ? 0 : 1);
      });'
}

start_worker() {
  local settings="$DATABASE_URL $TEMPORAL_ADDRESS $TEMPORAL_NAMESPACE $SIMULATOR_URL ${VITRINE_SECRET_KEY_FILE:-} $(build_stamp)"
  reuse_or_stop worker "$WORKER_MAIN" "$settings" && return 0
  log "stack: starting a worker on task queue $(task_queue)"
  # bin/worker starts it as the Dockerfile and docker-compose.yml do; supervised, a worker that
  # dies is started again within seconds (compose's restart policy does the same).
  start_bg worker "$LOG_DIR/worker.log" bash "$SCRIPTS/supervise.sh" worker bin/worker
  echo "$settings" >"$RUN_DIR/worker.settings"
  TEMPORAL_BIN=$(bash "$SCRIPTS/temporal-cli.sh")
  wait_started worker "$WORKER_MAIN" 90 "$LOG_DIR/worker.log" worker_polling
}

# The hook receiver: the URL the simulator's (or VTEX's) orders hook calls, as HOOKS_URL.
start_hooks() {
  local settings="$DATABASE_URL $TEMPORAL_ADDRESS $TEMPORAL_NAMESPACE ${VITRINE_SECRET_KEY_FILE:-} $(build_stamp)"
  if reuse_or_stop hooks "$HOOKS_MAIN" "$settings" && [[ -f $RUN_DIR/hooks.env ]]; then
    load_env_lines <"$RUN_DIR/hooks.env"
    http_ok "$HOOKS_URL/health" && return 0
    stop_bg hooks "$HOOKS_MAIN" 2>/dev/null
  fi
  local port
  # A stable port keeps the hooks configured on the simulator valid across restarts.
  port=$(pick_port "$(sed -n 's/^HOOKS_PORT=//p' "$RUN_DIR/hooks.last" 2>/dev/null || true)" "$PREFERRED_HOOKS_PORT")
  HOOKS_URL=http://127.0.0.1:$port
  log "stack: starting the hook receiver on $HOOKS_URL"
  HOOKS_HOST=127.0.0.1 HOOKS_PORT=$port start_bg hooks "$LOG_DIR/hooks.log" node "$HOOKS_MAIN"
  echo "$settings" >"$RUN_DIR/hooks.settings"
  wait_started hooks "$HOOKS_MAIN" 60 "$LOG_DIR/hooks.log" http_ok "$HOOKS_URL/health"
  echo "HOOKS_URL=$HOOKS_URL" >"$RUN_DIR/hooks.env"
  echo "HOOKS_PORT=$port" >"$RUN_DIR/hooks.last"
}

# The key the app tokens are encrypted under (docs/SECURITY.md): VITRINE_SECRET_KEY or the file
# VITRINE_SECRET_KEY_FILE names when the environment sets one, else .data/secret.key, created
# (readable by its owner only) when there is none.
ensure_secret_key() {
  [[ -n ${VITRINE_SECRET_KEY:-} ]] && return 0
  if [[ -z ${VITRINE_SECRET_KEY_FILE:-} ]]; then
    VITRINE_SECRET_KEY_FILE=$DATA_DIR/secret.key
    if [[ ! -s $VITRINE_SECRET_KEY_FILE ]]; then
      log "stack: creating the secret key $VITRINE_SECRET_KEY_FILE"
      (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64") + "\n")' >"$VITRINE_SECRET_KEY_FILE.tmp")
      mv -f "$VITRINE_SECRET_KEY_FILE.tmp" "$VITRINE_SECRET_KEY_FILE"
    fi
  fi
  [[ -r $VITRINE_SECRET_KEY_FILE ]] || die "VITRINE_SECRET_KEY_FILE $VITRINE_SECRET_KEY_FILE cannot be read"
  export VITRINE_SECRET_KEY_FILE
}

# KEY=value lines that `set -a; . .data/stack.env` and dotenv readers both accept;
# a value with shell-special characters (e.g. a password in DATABASE_URL) is single-quoted.
write_env() {
  local k v tmp=$STACK_ENV.tmp
  : >"$tmp"
  for k in DATABASE_URL TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_UI_URL SIMULATOR_URL HOOKS_URL VITRINE_SECRET_KEY_FILE; do
    v=${!k-}
    if [[ $v =~ ^[A-Za-z0-9_@%+=:,./-]*$ ]]; then
      printf '%s=%s\n' "$k" "$v" >>"$tmp"
    else
      printf "%s='%s'\n" "$k" "${v//\'/\'\\\'\'}" >>"$tmp"
    fi
  done
  mv -f "$tmp" "$STACK_ENV"
}

cmd_up() {
  local with_worker=1 arg
  for arg in "$@"; do
    case $arg in
      --no-worker) with_worker=0 ;;
      --cluster) TEMPORAL_MODE=cluster ;;
      *) die "unknown option $arg (usage: scripts/stack.sh up [--no-worker] [--cluster])" ;;
    esac
  done
  ensure_build
  ensure_dirs
  export TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
  ensure_secret_key
  start_postgres
  start_temporal
  run_migrations
  start_simulator
  export SIMULATOR_URL
  start_hooks
  export HOOKS_URL
  if ((with_worker)); then start_worker; fi
  write_env
  log "stack: up. Environment in .data/stack.env (use: set -a; . .data/stack.env; set +a)"
  cat "$STACK_ENV"
}

cmd_down() {
  [[ -d $RUN_DIR ]] || return 0
  stop_bg worker "$WORKER_MAIN"
  stop_bg hooks "$HOOKS_MAIN"
  stop_bg simulator "$SIM_MAIN"
  rm -f "$RUN_DIR/simulator.env" "$RUN_DIR/simulator.build" "$RUN_DIR/worker.settings" "$RUN_DIR/hooks.env" "$RUN_DIR/hooks.settings"
  bash "$SCRIPTS/temporal.sh" stop
  bash "$SCRIPTS/temporal-cluster.sh" stop
  rm -f "$RUN_DIR/temporal.mode"
  if [[ $(cat "$RUN_DIR/postgres.mode" 2>/dev/null) == local ]]; then
    bash "$SCRIPTS/postgres.sh" stop
  fi
  rm -f "$RUN_DIR/postgres.mode" "$STACK_ENV"
}

cmd_status() {
  local ok=0 mode
  # fd 3 is where the report goes: nowhere with --quiet.
  if [[ ${1:-} == --quiet ]]; then exec 3>/dev/null; else exec 3>&1; fi
  mode=$(cat "$RUN_DIR/postgres.mode" 2>/dev/null || true)
  if [[ $mode == external && -f $STACK_ENV ]]; then
    echo "postgres  external  $(sed -n 's/^DATABASE_URL=//p' "$STACK_ENV")" >&3
  elif [[ $mode == local ]]; then
    bash "$SCRIPTS/postgres.sh" status >&3 2>/dev/null || ok=1
  else
    echo "postgres  not started by the stack" >&3
    ok=1
  fi
  if [[ $(cat "$RUN_DIR/temporal.mode" 2>/dev/null) == cluster ]]; then
    bash "$SCRIPTS/temporal-cluster.sh" status >&3 2>/dev/null || ok=1
  else
    bash "$SCRIPTS/temporal.sh" status >&3 2>/dev/null || ok=1
  fi
  if running simulator "$SIM_MAIN" && [[ -f $RUN_DIR/simulator.env ]]; then
    echo "simulator running  $(sed -n 's/^SIMULATOR_URL=//p' "$RUN_DIR/simulator.env")  (pid $(<"$RUN_DIR/simulator.pid"))" >&3
  else
    echo "simulator stopped" >&3
    ok=1
  fi
  if running hooks "$HOOKS_MAIN" && [[ -f $RUN_DIR/hooks.env ]]; then
    echo "hooks     running  $(sed -n 's/^HOOKS_URL=//p' "$RUN_DIR/hooks.env")  (pid $(<"$RUN_DIR/hooks.pid"))" >&3
  else
    echo "hooks     stopped" >&3
  fi
  if running worker "$WORKER_MAIN"; then
    echo "worker    running  (pid $(<"$RUN_DIR/worker.pid"))" >&3
  else
    echo "worker    stopped" >&3
  fi
  [[ -f $STACK_ENV ]] || ok=1
  return "$ok"
}

case ${1:-} in
  up) shift && cmd_up "$@" ;;
  down) cmd_down ;;
  status) shift && cmd_status "$@" ;;
  *) die "usage: scripts/stack.sh up [--no-worker] | down | status [--quiet]" ;;
esac

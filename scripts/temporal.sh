#!/usr/bin/env bash
# Temporal dev server for development and tests, with the project's search attributes.
#
#   scripts/temporal.sh start    prints TEMPORAL_ADDRESS=, TEMPORAL_NAMESPACE=, TEMPORAL_UI_URL= lines
#   scripts/temporal.sh stop
#   scripts/temporal.sh status
#
# State (workflows, schedules) persists in .data/temporal.db across restarts. Ports: 7233 and
# 8233 (the CLI's defaults) when free, else free ones; TEMPORAL_PORT / TEMPORAL_UI_PORT override.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAMESPACE=${TEMPORAL_NAMESPACE:-default}
STATE=$RUN_DIR/temporal.env
LOGFILE=$LOG_DIR/temporal.log
MARKER="server start-dev"
# Keep in sync with SEARCH_ATTRIBUTES in src/shared/ids.ts.
SEARCH_ATTRIBUTES=(VitrineCode=Keyword ImportedOrders=Int UpdatedOrders=Int BlockedOrders=Int ImportTrigger=Keyword)

cli() { "$TEMPORAL_BIN" "$@"; }

healthy() { cli operator cluster health --address "$1" --command-timeout 3s 2>/dev/null | grep -q SERVING; }

# The namespace answers and knows every project search attribute.
attributes_ready() {
  local list sa
  list=$(cli operator search-attribute list --address "$1" --namespace "$NAMESPACE" --command-timeout 5s 2>/dev/null) || return 1
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    grep -qE "^[[:space:]]*${sa%%=*}[[:space:]]" <<<"$list" || return 1
  done
}

print_state() { cat "$STATE"; }

# start-dev registers the attributes; a database from an older setup may still lack one.
ensure_attributes() {
  local address=$1 sa
  wait_until 30 attributes_ready "$address" && return 0
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    cli operator search-attribute create --address "$address" --namespace "$NAMESPACE" \
      --name "${sa%%=*}" --type "${sa#*=}" >/dev/null 2>&1 || true
  done
  wait_until 30 attributes_ready "$address" ||
    die "the search attributes ${SEARCH_ATTRIBUTES[*]} are missing on $address and could not be created"
}

cmd_start() {
  ensure_dirs
  TEMPORAL_BIN=$(bash "$SCRIPTS/temporal-cli.sh")
  if running temporal "$MARKER" && [[ -f $STATE ]]; then
    load_env_lines <"$STATE"
    if healthy "$TEMPORAL_ADDRESS"; then
      # A server started by an older release may lack an attribute added since.
      ensure_attributes "$TEMPORAL_ADDRESS"
      print_state
      return 0
    fi
  fi
  stop_bg temporal "$MARKER" 2>/dev/null # a stale or wedged one

  local port ui_port address
  port=$(pick_port "${TEMPORAL_PORT:-}" 7233)
  ui_port=$(pick_port "${TEMPORAL_UI_PORT:-}" $((port + 1000)) 8233)
  [[ $ui_port != "$port" ]] || ui_port=$(pick_port)
  address=127.0.0.1:$port

  local args=(server start-dev --db-filename "$DATA_DIR/temporal.db" --ip 127.0.0.1
    --port "$port" --ui-port "$ui_port" --namespace "$NAMESPACE" --log-level warn)
  # As a Temporal cluster runs (docs/DEPLOYMENT.md), not as the dev server defaults: activities
  # handed to the worker in the reply to its workflow task (eager execution), and search
  # attributes read from the server's cache instead of its database on every workflow start and
  # upsert. The project's attributes are registered at start (below), before any workflow runs.
  args+=(--dynamic-config-value system.enableActivityEagerExecution=true
    --dynamic-config-value system.forceSearchAttributesCacheRefreshOnRead=false)
  local sa
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done

  log "temporal: starting the dev server on $address (UI http://127.0.0.1:$ui_port)"
  start_bg temporal "$LOGFILE" "$TEMPORAL_BIN" "${args[@]}"
  local pid
  pid=$(<"$RUN_DIR/temporal.pid")
  if ! wait_until 90 healthy "$address"; then
    kill -0 "$pid" 2>/dev/null && stop_bg temporal "$MARKER"
    log_tail "$LOGFILE"
    die "the Temporal dev server did not become healthy on $address (log: $LOGFILE)"
  fi
  ensure_attributes "$address"
  printf 'TEMPORAL_ADDRESS=%s\nTEMPORAL_NAMESPACE=%s\nTEMPORAL_UI_URL=%s\n' \
    "$address" "$NAMESPACE" "http://127.0.0.1:$ui_port" >"$STATE"
  print_state
}

cmd_stop() {
  stop_bg temporal "$MARKER"
  rm -f "$STATE"
}

cmd_status() {
  if running temporal "$MARKER" && [[ -f $STATE ]]; then
    load_env_lines <"$STATE"
    echo "temporal  running  $TEMPORAL_ADDRESS  UI $TEMPORAL_UI_URL  (pid $(<"$RUN_DIR/temporal.pid"))"
  else
    echo "temporal  stopped"
    return 1
  fi
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: scripts/temporal.sh start|stop|status" ;;
esac

#!/usr/bin/env bash
# A Temporal cluster on the project's Postgres, as production runs one: frontend, matching,
# worker and two history hosts as separate processes, 16 history shards, the schema in the
# databases temporal and temporal_visibility (temporal-sql-tool), the namespace and the project's
# search attributes. The same interface as scripts/temporal.sh:
#
#   DATABASE_URL=... scripts/temporal-cluster.sh start   prints TEMPORAL_ADDRESS=, TEMPORAL_NAMESPACE=, TEMPORAL_UI_URL= lines
#   scripts/temporal-cluster.sh stop | status
#   scripts/temporal-cluster.sh kill-service history-a   SIGKILL one service (a host lost, for the reliability suite)
#   scripts/temporal-cluster.sh start-service history-a  start it again with its config
#
# The binaries come from scripts/temporal-server.sh (built once from their Go module).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAMESPACE=${TEMPORAL_NAMESPACE:-default}
STATE=$RUN_DIR/temporal-cluster.env
CONFIG_DIR=$DATA_DIR/temporal-cluster
SHARDS=16
# service name, gRPC port, membership port (frontend also serves HTTP on 7243)
SERVICES=("frontend 7233 6933" "history-a 7234 6934" "history-b 7244 6944" "matching 7235 6935" "worker 7239 6939")
SEARCH_ATTRIBUTES=(VitrineCode=Keyword ImportedOrders=Int UpdatedOrders=Int BlockedOrders=Int ImportTrigger=Keyword)

# The Web UI server, from its Go module too (v2.58 needs a go.temporal.io/api the module proxy
# does not serve). Built once into the user-level cache.
UI_VERSION=2.56.4
UI_DIR=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vitrine-order-import/temporal-ui-server-$UI_VERSION

ui_server() {
  if [[ ! -x $UI_DIR/temporal-ui-server ]]; then
    local go build
    go=$(command -v go || echo /usr/local/go/bin/go)
    [[ -x $go ]] || die "temporal-cluster: Go is needed to build the Temporal Web UI server"
    build=$(mktemp -d)
    log "temporal-cluster: building the Web UI server v$UI_VERSION from its Go module (once)"
    # It asks for a newer Go than may be installed: the toolchain comes through the module proxy.
    GOTOOLCHAIN=go1.26.10 GOBIN=$build "$go" install "github.com/temporalio/ui-server/v2/cmd/server@v$UI_VERSION" >&2 ||
      die "temporal-cluster: the Web UI server did not build"
    mkdir -p "$UI_DIR" && mv "$build/server" "$UI_DIR/temporal-ui-server.tmp.$$" && mv "$UI_DIR/temporal-ui-server.tmp.$$" "$UI_DIR/temporal-ui-server"
    rm -rf "$build"
  fi
  printf '%s\n' "$UI_DIR/temporal-ui-server"
}

cli() { "$TEMPORAL_BIN" "$@"; }
healthy() { cli operator cluster health --address "$1" --command-timeout 3s 2>/dev/null | grep -q SERVING; }
add_attributes() {
  local list sa missing=0
  list=$(cli operator search-attribute list --address "$1" --namespace "$NAMESPACE" --command-timeout 5s 2>/dev/null) || return 1
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    if ! grep -qE "^[[:space:]]*${sa%%=*}[[:space:]]" <<<"$list"; then
      missing=1
      cli operator search-attribute create --address "$1" --namespace "$NAMESPACE" --name "${sa%%=*}" --type "${sa#*=}" >/dev/null 2>&1 || true
    fi
  done
  ((missing == 0))
}
# launch BINDIR NAME : one service of the cluster in the background, with its config.
launch() { start_bg "temporal-$2" "$LOG_DIR/temporal-$2.log" "$1/temporal-server" --config-file "$CONFIG_DIR/$2.yaml" --allow-no-auth start --service "${2%-?}"; }
port_taken() { ! port_free "$1"; }
marker() { printf 'temporal-server --config-file %s/%s.yaml' "$CONFIG_DIR" "$1"; }

# host port user password of DATABASE_URL
sql_target() {
  node -e 'const u = new URL(process.argv[1]); console.log([u.hostname, u.port || "5432", decodeURIComponent(u.username) || "postgres", decodeURIComponent(u.password)].join(" "))' "$1"
}

write_config() {
  local name=$1 grpc=$2 membership=$3 host=$4 port=$5 user=$6 password=$7
  # Every process knows every service; a history host has ports of its own.
  local history_grpc=7234 history_membership=6934
  if [[ $name == history-* ]]; then history_grpc=$grpc history_membership=$membership; fi
  mkdir -p "$CONFIG_DIR"
  cat >"$CONFIG_DIR/$name.yaml" <<YAML
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: $SHARDS
  datastores:
    postgres-default:
      sql: { pluginName: postgres12, databaseName: temporal, connectAddr: "$host:$port", connectProtocol: tcp, user: "$user", password: "$password", maxConns: 10, maxIdleConns: 10, maxConnLifetime: 1h }
    postgres-visibility:
      sql: { pluginName: postgres12, databaseName: temporal_visibility, connectAddr: "$host:$port", connectProtocol: tcp, user: "$user", password: "$password", maxConns: 5, maxIdleConns: 5, maxConnLifetime: 1h }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: 127.0.0.1 }
services:
  frontend: { rpc: { grpcPort: 7233, membershipPort: 6933, bindOnLocalHost: true, httpPort: 7243 } }
  history: { rpc: { grpcPort: $history_grpc, membershipPort: $history_membership, bindOnLocalHost: true } }
  matching: { rpc: { grpcPort: 7235, membershipPort: 6935, bindOnLocalHost: true } }
  worker: { rpc: { grpcPort: 7239, membershipPort: 6939, bindOnLocalHost: true } }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active: { enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: "127.0.0.1:7233" }
dcRedirectionPolicy: { policy: noop }
dynamicConfigClient: { filepath: "$CONFIG_DIR/dynamicconfig.yaml", pollInterval: 10s }
YAML
}

cmd_start() {
  ensure_dirs
  [[ -n ${DATABASE_URL:-} ]] || die "temporal-cluster: DATABASE_URL (the Postgres the cluster keeps its state in) is not set"
  TEMPORAL_BIN=$(bash "$SCRIPTS/temporal-cli.sh")
  local dir
  dir=$(bash "$SCRIPTS/temporal-server.sh")
  if [[ -f $STATE ]] && running temporal-frontend "$(marker frontend)"; then
    load_env_lines <"$STATE"
    healthy "$TEMPORAL_ADDRESS" && { cat "$STATE"; return 0; }
  fi
  cmd_stop 2>/dev/null || true
  local host port user password
  read -r host port user password <<<"$(sql_target "$DATABASE_URL")"
  export SQL_PLUGIN=postgres12 SQL_HOST=$host SQL_PORT=$port SQL_USER=$user SQL_PASSWORD=$password
  local db schema
  for db in temporal temporal_visibility; do
    schema=postgresql/v12/${db#temporal_}
    [[ $db == temporal ]] && schema=postgresql/v12/temporal
    "$dir/temporal-sql-tool" --db "$db" create-database >>"$LOG_DIR/temporal-cluster.log" 2>&1 || true
    "$dir/temporal-sql-tool" --db "$db" setup-schema -v 0.0 >>"$LOG_DIR/temporal-cluster.log" 2>&1 || true
    "$dir/temporal-sql-tool" --db "$db" update-schema --schema-name "$schema" >>"$LOG_DIR/temporal-cluster.log" 2>&1 ||
      { log_tail "$LOG_DIR/temporal-cluster.log"; die "temporal-cluster: the schema of $db could not be set up"; }
  done
  mkdir -p "$CONFIG_DIR"
  printf 'system.enableActivityEagerExecution:\n  - value: true\nsystem.forceSearchAttributesCacheRefreshOnRead:\n  - value: false\n' >"$CONFIG_DIR/dynamicconfig.yaml"
  local entry name grpc membership
  for entry in "${SERVICES[@]}"; do
    read -r name grpc membership <<<"$entry"
    write_config "$name" "$grpc" "$membership" "$host" "$port" "$user" "$password"
  done
  # One service first on a fresh database: starting all at once races on the cluster metadata.
  for entry in "${SERVICES[@]}"; do
    read -r name grpc membership <<<"$entry"
    log "temporal-cluster: starting $name (gRPC 127.0.0.1:$grpc)"
    launch "$dir" "$name"
    if [[ $name == frontend ]]; then sleep 2; fi
  done
  wait_until 120 healthy 127.0.0.1:7233 || { log_tail "$LOG_DIR/temporal-frontend.log"; die "temporal-cluster: the frontend did not become healthy"; }
  cli operator namespace describe --address 127.0.0.1:7233 -n "$NAMESPACE" >/dev/null 2>&1 ||
    cli operator namespace create --address 127.0.0.1:7233 -n "$NAMESPACE" --retention 72h >/dev/null
  # A namespace just created may refuse attributes for a moment: until every one is listed.
  wait_until 60 add_attributes 127.0.0.1:7233 || die "temporal-cluster: the search attributes ${SEARCH_ATTRIBUTES[*]} could not be registered"
  # The Web UI, pointed at the frontend.
  local ui ui_port
  ui=$(ui_server)
  ui_port=$(pick_port "${TEMPORAL_UI_PORT:-}" 8233)
  mkdir -p "$CONFIG_DIR/ui"
  printf 'temporalGrpcAddress: 127.0.0.1:7233\nhost: 127.0.0.1\nport: %s\nenableUi: true\ndefaultNamespace: %s\ncors:\n  cookieInsecure: true\n' "$ui_port" "$NAMESPACE" >"$CONFIG_DIR/ui/development.yaml"
  start_bg temporal-ui "$LOG_DIR/temporal-ui.log" "$ui" --root "$CONFIG_DIR" --config ui --env development start
  wait_until 60 http_ok "http://127.0.0.1:$ui_port/" || { log_tail "$LOG_DIR/temporal-ui.log"; die "temporal-cluster: the Web UI did not answer on $ui_port"; }
  printf 'TEMPORAL_ADDRESS=%s\nTEMPORAL_NAMESPACE=%s\nTEMPORAL_UI_URL=%s\n' 127.0.0.1:7233 "$NAMESPACE" "http://127.0.0.1:$ui_port" >"$STATE"
  cat "$STATE"
}

cmd_stop() {
  stop_bg temporal-ui "temporal-ui-server" 2>/dev/null || true
  local entry name
  for entry in "${SERVICES[@]}"; do
    read -r name _ <<<"$entry"
    stop_bg "temporal-$name" "$(marker "$name")" 2>/dev/null || true
  done
  rm -f "$STATE"
}

service_entry() {
  local entry
  for entry in "${SERVICES[@]}"; do
    [[ ${entry%% *} == "$1" ]] && { printf '%s\n' "$entry"; return 0; }
  done
  die "temporal-cluster: no service named '$1' (one of: ${SERVICES[*]%% *})"
}

# A host lost: SIGKILL, no chance to hand its shards over.
cmd_kill_service() {
  local name=${1:-}
  service_entry "$name" >/dev/null
  running "temporal-$name" "$(marker "$name")" || die "temporal-cluster: $name is not running"
  local pid
  pid=$(<"$RUN_DIR/temporal-$name.pid")
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
  local i
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  rm -f "$RUN_DIR/temporal-$name.pid"
  log "temporal-cluster: killed $name (pid $pid)"
}

cmd_start_service() {
  local name=${1:-} entry grpc
  entry=$(service_entry "$name")
  read -r _ grpc _ <<<"$entry"
  [[ -f $CONFIG_DIR/$name.yaml ]] || die "temporal-cluster: no config for $name: start the cluster first"
  running "temporal-$name" "$(marker "$name")" && { log "temporal-cluster: $name is already running"; return 0; }
  local dir
  dir=$(bash "$SCRIPTS/temporal-server.sh")
  launch "$dir" "$name"
  wait_until 60 port_taken "$grpc" || { log_tail "$LOG_DIR/temporal-$name.log"; die "temporal-cluster: $name did not listen on $grpc"; }
  log "temporal-cluster: started $name (gRPC 127.0.0.1:$grpc)"
}

cmd_status() {
  local entry name up=0
  for entry in "${SERVICES[@]}"; do
    read -r name _ <<<"$entry"
    if running "temporal-$name" "$(marker "$name")"; then up=$((up + 1)); fi
  done
  echo "temporal cluster  $up of ${#SERVICES[@]} services running"
  ((up == ${#SERVICES[@]}))
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill-service) cmd_kill_service "${2:-}" ;;
  start-service) cmd_start_service "${2:-}" ;;
  *) die "usage: scripts/temporal-cluster.sh start|stop|status|kill-service NAME|start-service NAME" ;;
esac

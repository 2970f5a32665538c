#!/usr/bin/env bash
# `npm run demo`: the whole flow on one machine. Starts the stack (with a worker), registers
# the vitrine "demo" against the VTEX simulator, seeds 25 orders there, runs one import and
# lists the imported orders, then keeps the stack up for the Temporal UI until Ctrl-C.
#
#   npm run demo               (Ctrl-C stops the stack again)
#   npm run demo -- --no-wait  the same, but stops right after printing (scripts, CI)
#
# Running it again is fine: an existing "demo" vitrine is reused.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

CODE=demo
wait_for_ctrl_c=1
for arg in "$@"; do
  case $arg in
    --no-wait) wait_for_ctrl_c=0 ;;
    *) die "unknown option $arg (usage: npm run demo [-- --no-wait])" ;;
  esac
done

ensure_build

vitrine() { node dist/starter/main.js "$@"; }

# Stop the stack on the way out, but only if the demo started it.
started_stack=0
sleep_pid=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $sleep_pid ]] && kill "$sleep_pid" 2>/dev/null
  if ((started_stack)); then
    log "demo: stopping the stack"
    bash "$SCRIPTS/stack.sh" down || true
  elif ((rc == 0 || rc == 130)); then
    log "demo: the stack was already running before the demo; leaving it up (npm run stack:down stops it)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo >&2; exit 130' INT
trap 'exit 143' TERM

bash "$SCRIPTS/stack.sh" status --quiet || started_stack=1
bash "$SCRIPTS/stack.sh" up >/dev/null
set -a
# shellcheck disable=SC1090
. "$STACK_ENV"
set +a
[[ -n ${SIMULATOR_URL:-} ]] || die "the stack has no simulator (src/simulator/main.ts missing?)"

# `vitrine list --json` printing an object with code "demo" anywhere means it is registered.
vitrine_exists() {
  vitrine list --json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const has = (v) => v && typeof v === "object" &&
        (v.code === process.argv[1] || Object.values(v).some(has));
      try { process.exit(has(JSON.parse(s)) ? 0 : 1); } catch { process.exit(1); }
    });' "$CODE"
}

echo "== vitrine $CODE"
if vitrine_exists; then
  echo "vitrine $CODE already registered; reusing it"
else
  vitrine add --code "$CODE" --name "Loja Demo" --platform vtex --base-url "$SIMULATOR_URL/$CODE" \
    --app-key demo-key --app-token demo-token --prefix VT
fi
# The simulator's marketplaces (a share of its orders come through them), each with its own
# order code prefix and its orders' payment settled by the marketplace.
vitrine marketplaces "$CODE" set MGZ "Magazine Luiza" --prefix MGZ --payment-type OUTROS --condition "Marketplace"
vitrine marketplaces "$CODE" set MLB "Mercado Livre" --prefix ML --payment-type OUTROS --condition "Marketplace"
vitrine marketplaces "$CODE" set AMZ "Amazon" --prefix AMZ --payment-type OUTROS --condition "Marketplace"
vitrine enable "$CODE"

# A demo admin for the backoffice (npm run backoffice), with a fresh password on every demo.
DEMO_ADMIN=demo-admin@vitrine.local
DEMO_PASSWORD=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(12).toString("base64url"))')
if vitrine users list --json | grep -q "\"$DEMO_ADMIN\""; then
  printf '%s\n' "$DEMO_PASSWORD" | vitrine users reset-password "$DEMO_ADMIN" --password-stdin >/dev/null
  vitrine users enable "$DEMO_ADMIN" >/dev/null
else
  printf '%s\n' "$DEMO_PASSWORD" | vitrine users add "$DEMO_ADMIN" --role admin --password-stdin >/dev/null
fi

echo "== seeding 25 orders in the simulator"
curl -fsS -XPOST "$SIMULATOR_URL/_sim/$CODE/orders" -H 'content-type: application/json' \
  -d '{"generate":25,"seed":1}'
echo

echo "== importing (vitrine run $CODE --wait)"
vitrine run "$CODE" --wait

echo "== imported orders"
vitrine orders list --vitrine "$CODE"

ns=${TEMPORAL_NAMESPACE:-default}
cat <<EOF

Temporal UI:
  schedule   $TEMPORAL_UI_URL/namespaces/$ns/schedules/vitrine-orders-$CODE
  workflows  $TEMPORAL_UI_URL/namespaces/$ns/workflows?query=VitrineCode%3D%22$CODE%22
  (all)      $TEMPORAL_UI_URL/namespaces/$ns/workflows
Database:    $DATABASE_URL
Logs:        .data/logs/
Backoffice:  npm run backoffice, then http://localhost:3000 as $DEMO_ADMIN / $DEMO_PASSWORD
             (a demo admin: its password changes on every demo; add your own with vitrine users add)
EOF

if ((wait_for_ctrl_c)); then
  echo
  echo "The stack keeps running (the schedule imports new orders). Press Ctrl-C to stop."
  # sleep in the background + wait: a signal interrupts `wait` at once.
  while :; do
    sleep 3600 &
    sleep_pid=$!
    wait "$sleep_pid" || true
  done
fi

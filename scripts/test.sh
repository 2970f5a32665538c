#!/usr/bin/env bash
# `npm test`: the unit layer first (no services: pure code, the connector against an in-process
# simulator, the workflow against fake activities), then the integration and end-to-end tests
# against the local stack (Postgres, Temporal dev server, simulator; tests start their workers).
#
#   npm test                                          every layer
#   npm test -- --unit                                the unit layer only
#   npm test -- test/integration/import.test.ts       only these files
#   npm test -- --test-name-pattern=import            node --test options pass through
#   npm test -- --cluster [files]                     on a Temporal cluster (TEMPORAL_MODE=cluster) instead of the dev server
#   npm run test:ci                                   CI: every layer on the dev server, then the core tests on the cluster
#
# A stack that is already up (npm run stack:up) is used and left running; otherwise one is
# started for the integration layer and stopped afterwards, whatever the tests' outcome.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

ensure_build

# Split our arguments into node options and test files. An option given as two words
# (--test-name-pattern foo) keeps its value unless that value is an existing path.
opts=()
files=()
unit_only=0
ci=0
while (($#)); do
  case $1 in
    --unit) unit_only=1 ;;
    --cluster) export TEMPORAL_MODE=cluster ;;
    --ci) ci=1 ;;
    -*)
      opts+=("$1")
      if [[ $1 != *=* && $# -gt 1 && $2 != -* && ! -e $2 ]]; then
        opts+=("$2")
        shift
      fi
      ;;
    *) files+=("$1") ;;
  esac
  shift
done
# A hung test fails after 10 minutes instead of eating CI's time budget. TEST_TIMEOUT_MS or an
# explicit --test-timeout changes it.
if [[ " ${opts[*]-} " != *" --test-timeout"* ]]; then
  opts+=("--test-timeout=${TEST_TIMEOUT_MS:-600000}")
fi

# The tests CI runs on the Temporal cluster as well: imports, worker crashes, schedules, and the
# quick reliability suite (which there also loses a history host mid-import).
CLUSTER_CORE=(test/integration/import.test.ts test/integration/worker-crash.test.ts test/integration/schedules.test.ts test/e2e/reliability-quick.test.ts)

if ((ci)); then
  # Each mode in a process of its own: each starts and stops its own stack.
  rc=0
  log "test: every layer on the Temporal dev server"
  TEMPORAL_MODE=dev bash "$0" "${opts[@]}" || rc=$?
  log "test: the core tests on a Temporal cluster (${CLUSTER_CORE[*]})"
  TEMPORAL_MODE=cluster bash "$0" "${opts[@]}" "${CLUSTER_CORE[@]}" || rc=$((rc ? rc : $?))
  exit "$rc"
fi

list() { find "$@" -name '*.test.ts' -type f 2>/dev/null | sort; }
# test/support/fileTimeout.ts ends a test file's process that outlives its tests' timeout.
run_tests() { node --import tsx --import ./test/support/fileTimeout.ts --test --test-reporter=spec "${opts[@]}" "$@"; }

# The workflow tests start a Temporal dev server of their own from the project's CLI.
TEMPORAL_CLI=$(bash "$SCRIPTS/temporal-cli.sh")
export TEMPORAL_CLI

if ((${#files[@]} > 0)); then
  needs_stack=0
  for f in "${files[@]}"; do [[ $f == test/unit/* ]] || needs_stack=1; done
  if ((needs_stack)); then use_stack test; fi
  run_tests --test-concurrency=1 "${files[@]}"
  exit
fi

mapfile -t unit < <(list test/unit)
((${#unit[@]} > 0)) || die "no unit tests (test/unit/**/*.test.ts) found"
log "test: the unit layer (${#unit[@]} files, no services)"
# No service settings reach the unit layer: a test that needs one fails instead of using it.
(unset DATABASE_URL TEMPORAL_ADDRESS SIMULATOR_URL && run_tests --test-concurrency=2 "${unit[@]}")
((unit_only)) && exit 0

mapfile -t rest < <(list test/integration test/e2e)
use_stack test
log "test: the integration and end-to-end layers (${#rest[@]} files)"
run_tests --test-concurrency=1 "${rest[@]}"

#!/usr/bin/env bash
# `npm test`: runs the test suite against the local stack (Postgres, Temporal dev server,
# simulator; no worker: tests start the workers they need).
#
#   npm test                                   every test/**/*.test.ts
#   npm test -- test/simulator.test.ts         only these files
#   npm test -- --test-name-pattern=import     node --test options pass through
#
# A stack that is already up (npm run stack:up) is used and left running; otherwise one is
# started for the run and stopped afterwards, whatever the tests' outcome.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

ensure_build

# Split our arguments into node options and test files. An option given as two words
# (--test-name-pattern foo) keeps its value unless that value is an existing path.
opts=()
files=()
while (($#)); do
  case $1 in
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
# A hung test file fails after 10 minutes instead of eating CI's time budget (Node 20 applies
# --test-timeout per file). TEST_TIMEOUT_MS or an explicit --test-timeout changes it.
if [[ " ${opts[*]-} " != *" --test-timeout"* ]]; then
  opts+=("--test-timeout=${TEST_TIMEOUT_MS:-600000}")
fi
# Node 20's --test takes no glob patterns, so we list the files ourselves.
if ((${#files[@]} == 0)); then
  mapfile -t files < <(find test -name '*.test.ts' -type f 2>/dev/null | sort)
  ((${#files[@]} > 0)) || die "no test files (test/**/*.test.ts) found"
fi

use_stack test

node --import tsx --test --test-concurrency=1 --test-reporter=spec "${opts[@]}" "${files[@]}"

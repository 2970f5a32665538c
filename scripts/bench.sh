#!/usr/bin/env bash
# `npm run bench`: the import benchmark (bench/run.ts) against the local stack: Postgres, the
# Temporal dev server and the simulator (no stack worker: the benchmark starts the workers it
# measures). Writes docs/BENCHMARKS.md unless --no-write.
#
#   npm run bench                                   N = 20,000 orders over V = 10 vitrines, baseline and Temporal
#   npm run bench -- --orders 2000 --vitrines 4     smaller
#   npm run bench -- --variant all                  also two workers, one workflow per order, 500 live schedules
#   npm run bench -- --help                         every option
#   npm run bench:engines                           the dev server and the Temporal cluster side by side (bench/engines.ts)
#
# A stack that is already up (npm run stack:up) is used and left running; otherwise one is
# started for the run and stopped afterwards, whatever the outcome (as npm test does).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

for arg in "$@"; do
  if [[ $arg == --help || $arg == -h ]]; then
    exec node --import tsx bench/run.ts --help
  fi
done

ensure_build

# --engines: both Temporal engines in one run (bench/engines.ts), which brings the stack up in each
# mode itself (a running stack is stopped first, and the stack is left down).
if [[ ${1:-} == --engines ]]; then
  shift
  exec node --import tsx bench/engines.ts "$@"
fi

use_stack bench

# Not exec: the EXIT trap must still stop a stack started here. bench/run.ts cleans up its own
# workers, schedules and databases on INT/TERM.
node --import tsx bench/run.ts "$@"

#!/usr/bin/env bash
# `npm run test:reliability`: the full reliability suite (test/reliability/run.ts) against the
# project's own stack: 5,000 orders imported while the worker is killed with SIGKILL 10 times and
# the Temporal dev server and Postgres are restarted once each, 1,000 more behind platform faults;
# then the checks. Writes the figures to docs/RELIABILITY.md.
#
#   npm run test:reliability
#   npm run test:reliability -- --seed 42 --orders 5000 --kills 10 --fault-orders 1000 --no-doc
#
# A stack that is already up is used and left running (it must use the project-local Postgres:
# the suite restarts it); otherwise one is started for the run and stopped afterwards.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

ensure_build

# The suite restarts the stack's own services: never adopt a server from the caller's environment.
unset DATABASE_URL TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_UI_URL SIMULATOR_URL TASK_QUEUE

use_stack reliability
[[ $(cat "$RUN_DIR/postgres.mode" 2>/dev/null) == local ]] ||
  die "the stack uses an external Postgres (DATABASE_URL); the suite restarts Postgres, so it needs the project-local cluster: npm run stack:down, unset DATABASE_URL, and try again"

node --import tsx test/reliability/run.ts "$@"

#!/usr/bin/env bash
# `npm run hooks`: the hook receiver (docs/PUSH.md), the endpoint VTEX's orders hook calls, on
# http://127.0.0.1:8790 unless HOOKS_HOST / HOOKS_PORT say otherwise (npm run stack:up runs one too).
#
# With DATABASE_URL unset and the stack up (npm run stack:up), it uses the stack's settings
# (.data/stack.env: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE); otherwise DATABASE_URL
# must be set, and TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TASK_QUEUE are read as the CLI reads them.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

stack_settings hooks
ensure_build
exec node dist/hooks/main.js "$@"

#!/usr/bin/env bash
# `npm run backoffice`: the backoffice web page (docs/BACKOFFICE.md), on
# http://127.0.0.1:3000 unless BACKOFFICE_HOST / BACKOFFICE_PORT say otherwise.
#
# With DATABASE_URL unset and the stack up (npm run stack:up), it uses the stack's settings
# (.data/stack.env: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE); otherwise DATABASE_URL
# must be set, and TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TASK_QUEUE are read as the CLI reads them.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

stack_settings backoffice
ensure_build
exec node dist/backoffice/main.js "$@"

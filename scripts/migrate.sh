#!/usr/bin/env bash
# `npm run migrate [-- latest|rollback|status]`: the ERP schema migrations, on $DATABASE_URL,
# else on the running stack's database (.data/stack.env).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

if [[ -z ${DATABASE_URL:-} && -f $STACK_ENV ]]; then
  # shellcheck disable=SC1090
  DATABASE_URL=$(set -a && . "$STACK_ENV" && printf '%s' "${DATABASE_URL:-}")
  export DATABASE_URL
fi
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set and the stack is not up (npm run stack:up)"
ensure_build
exec node dist/erp/migrate.js "${@:-latest}"

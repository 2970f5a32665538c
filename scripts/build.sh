#!/usr/bin/env bash
# `npm run build`: compiles src/ to dist/ with tsc and bundles the workflows once into
# dist/workflow-bundle.js, which the worker loads (no webpack at worker start). dist/ is rebuilt
# from nothing each time, so that a file removed from src/ (a migration, say) never lingers there.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

ensure_node_modules
rm -rf dist
node_modules/.bin/tsc -p tsconfig.build.json
node dist/worker/workflowBundle.js dist/workflow-bundle.js
# The stamp tells the scripts (ensure_build) that dist/ matches the sources it was built from.
date -u '+%FT%TZ' >dist/.build-stamp
log "build: dist/ and dist/workflow-bundle.js"

#!/usr/bin/env bash
# `npm run screenshots`: the Temporal UI pictures of docs/MONITORING.md (docs/screenshots/*.png),
# taken by the Temporal UI test in headless Chromium against the local stack. Tests alone never
# write them.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
export SCREENSHOT_DIR=$REPO/docs/screenshots
exec bash "$SCRIPTS/test.sh" test/e2e/temporal-ui.test.ts

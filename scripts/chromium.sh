#!/usr/bin/env bash
# Prints the path of a Chromium for the browser tests (the backoffice's end-to-end tests and the
# Temporal UI screenshots). Uses CHROMIUM when set, else Debian's /usr/bin/chromium, installing
# the Debian package when it is missing and we are root. Playwright's own browser download is
# never used: playwright-core drives this Chromium.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n ${CHROMIUM:-} ]]; then
  [[ -x $CHROMIUM ]] || die "CHROMIUM=$CHROMIUM is not an executable"
  echo "$CHROMIUM"
  exit 0
fi
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  [[ -x $candidate ]] && { echo "$candidate"; exit 0; }
done
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  ensure_dirs
  log "chromium: not found; installing the Debian package chromium (log: $LOG_DIR/apt-chromium.log)"
  {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium ||
      { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
  } >"$LOG_DIR/apt-chromium.log" 2>&1 || true
  [[ -x /usr/bin/chromium ]] && { echo /usr/bin/chromium; exit 0; }
fi
die "Chromium not found. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM to its path."

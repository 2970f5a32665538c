#!/usr/bin/env bash
# Prints the folder holding `temporal-server` and `temporal-sql-tool` (the real Temporal server
# and its schema tool, for a cluster on Postgres) on stdout; progress goes to stderr. They are
# built from their Go module once (several minutes on 2 cores) and kept in the user-level cache,
# never rebuilt when there: v1.32.2 (which asks for Go 1.26.10: GOTOOLCHAIN fetches it through the
# Go module proxy), else v1.29.7, the last of the dev server's 1.29 line, with the installed Go.
# TEMPORAL_SERVER_DIR names a folder that already has both.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vitrine-order-import
VERSIONS=(1.32.2 1.29.7)
TOOLCHAIN_OF_1_32_2=go1.26.10

usable() { [[ -x $1/temporal-server && -x $1/temporal-sql-tool ]] && "$1/temporal-sql-tool" --version >/dev/null 2>&1; }

if [[ -n ${TEMPORAL_SERVER_DIR:-} ]]; then
  usable "$TEMPORAL_SERVER_DIR" && { printf '%s\n' "$TEMPORAL_SERVER_DIR"; exit 0; }
  die "TEMPORAL_SERVER_DIR=$TEMPORAL_SERVER_DIR has no working temporal-server and temporal-sql-tool"
fi
for version in "${VERSIONS[@]}"; do
  if usable "$CACHE_DIR/temporal-server-$version"; then
    printf '%s\n' "$CACHE_DIR/temporal-server-$version"
    exit 0
  fi
done

GO=$(command -v go || echo /usr/local/go/bin/go)
[[ -x $GO ]] || die "temporal-server: Go is needed to build the Temporal server (none on PATH or in /usr/local/go)"

for version in "${VERSIONS[@]}"; do
  dir=$CACHE_DIR/temporal-server-$version
  build=$(mktemp -d)
  toolchain=local
  [[ $version == 1.32.2 ]] && toolchain=$TOOLCHAIN_OF_1_32_2
  log "temporal-server: building v$version from its Go module (several minutes on 2 cores, once)"
  if GOTOOLCHAIN=$toolchain GOBIN=$build "$GO" install "go.temporal.io/server/cmd/server@v$version" \
    "go.temporal.io/server/cmd/tools/sql@v$version" >&2; then
    mkdir -p "$dir.tmp.$$"
    mv "$build/server" "$dir.tmp.$$/temporal-server"
    mv "$build/sql" "$dir.tmp.$$/temporal-sql-tool"
    rm -rf "$dir" && mv "$dir.tmp.$$" "$dir"
    rm -rf "$build"
    # The config templates of this version, for the cluster's configuration.
    log "temporal-server: v$version in $dir (config templates: $("$GO" env GOMODCACHE)/go.temporal.io/server@v$version/config)"
    printf '%s\n' "$dir"
    exit 0
  fi
  rm -rf "$build"
  log "temporal-server: v$version did not build; trying the next version"
done
die "temporal-server: no version of the Temporal server could be built"

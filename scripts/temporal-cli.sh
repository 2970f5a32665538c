#!/usr/bin/env bash
# Prints the path of a usable Temporal CLI on stdout (progress goes to stderr), installing
# v1.5.1 into .tools/bin when none is found. Looks, in order, at: $TEMPORAL_CLI, `temporal`
# on PATH, .tools/bin/temporal, the user-level cache. Installs from the official release
# archive, else with `go install`, and then keeps a copy in the user-level cache so that
# later clones of the repo never build it again.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=1.5.1
LOCAL_BIN=$REPO/.tools/bin/temporal
CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vitrine-order-import
CACHED_BIN=$CACHE_DIR/temporal-$VERSION

# A file that runs: a half-copied or foreign-arch binary fails here instead of later.
usable() { [[ -n $1 && -f $1 && -x $1 ]] && "$1" --version >/dev/null 2>&1; }

# Atomic copy (a concurrent reader never sees half a binary).
copy_bin() {
  mkdir -p "$(dirname "$2")" && cp "$1" "$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

# Keep a copy outside the repo; failing to do so (read-only HOME) is not fatal.
save_to_cache() {
  usable "$CACHED_BIN" && return 0
  if copy_bin "$LOCAL_BIN" "$CACHED_BIN" 2>/dev/null; then
    log "temporal-cli: cached a copy in $CACHED_BIN"
  else
    rm -f "$CACHED_BIN.tmp.$$"
    log "temporal-cli: could not write the cache $CACHED_BIN (continuing)"
  fi
}

found() {
  printf '%s\n' "$1"
  exit 0
}

find_existing() {
  if [[ -n ${TEMPORAL_CLI:-} ]]; then
    usable "$TEMPORAL_CLI" && found "$TEMPORAL_CLI"
    log "temporal-cli: TEMPORAL_CLI=$TEMPORAL_CLI is not a working executable; looking elsewhere"
  fi
  local on_path
  if on_path=$(command -v temporal 2>/dev/null) && usable "$on_path"; then found "$on_path"; fi
  if usable "$LOCAL_BIN"; then
    save_to_cache
    found "$LOCAL_BIN"
  fi
  if usable "$CACHED_BIN"; then
    copy_bin "$CACHED_BIN" "$LOCAL_BIN"
    log "temporal-cli: copied $CACHED_BIN to .tools/bin"
    found "$LOCAL_BIN"
  fi
  return 0
}

install_from_release() {
  local os arch tmp
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case $(uname -m) in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  command -v curl >/dev/null && command -v tar >/dev/null || return 1
  local url="https://temporal.download/cli/archive/v$VERSION?platform=$os&arch=$arch"
  log "temporal-cli: downloading $url"
  tmp=$(mktemp -d)
  # Short connect timeout: where the host is unreachable we want to fall back quickly;
  # the speed limit aborts a stalled transfer without capping a slow but live one.
  if curl -fsSL --connect-timeout 20 --speed-limit 10000 --speed-time 30 -o "$tmp/cli.tar.gz" "$url" 2>"$tmp/err" &&
    tar -xzf "$tmp/cli.tar.gz" -C "$tmp" temporal 2>>"$tmp/err" && usable "$tmp/temporal"; then
    copy_bin "$tmp/temporal" "$LOCAL_BIN"
    rm -rf "$tmp"
    return 0
  fi
  log "temporal-cli: download failed: $(tr '\n' ' ' <"$tmp/err")"
  rm -rf "$tmp"
  return 1
}

install_with_go() {
  local go
  # /usr/local/go/bin is where Go's own installer puts it, often missing from PATH.
  go=$(command -v go 2>/dev/null) || go=/usr/local/go/bin/go
  if ! [[ -x $go ]]; then
    log "temporal-cli: go is not installed, cannot build the CLI"
    return 1
  fi
  log "temporal-cli: building with go install (several minutes the first time; later builds reuse Go's cache)"
  # go prints progress on stderr; keep stdout for the path alone.
  GOBIN=$REPO/.tools/bin "$go" install "github.com/temporalio/cli/cmd/temporal@v$VERSION" >&2 && usable "$LOCAL_BIN"
}

find_existing

# Nothing found: install, holding a lock so two concurrent callers do not both build.
mkdir -p "$REPO/.tools/bin"
if command -v flock >/dev/null; then
  exec 9>"$REPO/.tools/.temporal-install.lock"
  flock 9
  find_existing # another caller may have installed it while we waited
fi

if install_from_release || install_with_go; then
  log "temporal-cli: installed $LOCAL_BIN"
  save_to_cache
  found "$LOCAL_BIN"
fi

die "no Temporal CLI found and installing it failed. Either download v$VERSION from https://temporal.download/cli/archive/v$VERSION (or https://github.com/temporalio/cli/releases) and put \`temporal\` on PATH (or set TEMPORAL_CLI), or install Go and run: GOBIN=$REPO/.tools/bin go install github.com/temporalio/cli/cmd/temporal@v$VERSION"

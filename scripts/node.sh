#!/usr/bin/env bash
# Prints the bin folder of a Node.js 24 LTS, the product's runtime, on stdout (progress on stderr).
# Looks, in order, at: $VITRINE_NODE (a node binary), `node` on PATH when it is 24 or newer,
# .tools/node, the user-level cache. When none fits (this machine's own node may be older), installs
# the official binary of Node $VERSION from the npm registry (package node-<os>-<arch>, which ships
# it unchanged) into .tools/node and keeps a copy in the user-level cache, so that later clones
# never download it again.
#
# Standalone on purpose: scripts/lib.sh calls it before anything else runs on node.
set -euo pipefail

VERSION=24.22.3
MIN_MAJOR=24
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL_DIR=$REPO/.tools/node
CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vitrine-order-import
CACHED_BIN=$CACHE_DIR/node-v$VERSION

log() { printf 'node: %s\n' "$*" >&2; }

# The major version of a node binary, or nothing when it does not run.
major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true; }

fits() {
  local major
  [[ -n $1 && -x $1 ]] || return 1
  major=$(major_of "$1")
  [[ $major =~ ^[0-9]+$ ]] && ((major >= MIN_MAJOR))
}

found() {
  dirname "$1"
  exit 0
}

# Atomic copy: a concurrent reader never sees half a binary.
copy_bin() {
  mkdir -p "$(dirname "$2")" && cp "$1" "$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

find_existing() {
  if [[ -n ${VITRINE_NODE:-} ]]; then
    fits "$VITRINE_NODE" && found "$VITRINE_NODE"
    log "VITRINE_NODE=$VITRINE_NODE is not a node $MIN_MAJOR or newer; looking elsewhere"
  fi
  local on_path
  if on_path=$(command -v node 2>/dev/null) && fits "$on_path"; then found "$on_path"; fi
  fits "$LOCAL_DIR/bin/node" && found "$LOCAL_DIR/bin/node"
  if fits "$CACHED_BIN"; then
    copy_bin "$CACHED_BIN" "$LOCAL_DIR/bin/node"
    log "copied $CACHED_BIN to .tools/node"
    found "$LOCAL_DIR/bin/node"
  fi
  return 0
}

package_name() {
  local os arch
  case $(uname -s) in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) return 1 ;;
  esac
  case $(uname -m) in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  echo "node-$os-$arch"
}

install_from_npm() {
  local pkg tmp
  pkg=$(package_name) || {
    log "no official Node.js package for $(uname -s) $(uname -m)"
    return 1
  }
  command -v npm >/dev/null || {
    log "npm is not installed, so Node $VERSION cannot be fetched from the npm registry"
    return 1
  }
  tmp=$(mktemp -d)
  log "installing Node $VERSION from the npm registry ($pkg@$VERSION, about 50 MB)"
  if (cd "$tmp" && npm pack --silent "$pkg@$VERSION" >/dev/null 2>"$tmp/err") &&
    tar -xzf "$tmp/$pkg-$VERSION.tgz" -C "$tmp" package/bin/node 2>>"$tmp/err" &&
    fits "$tmp/package/bin/node"; then
    copy_bin "$tmp/package/bin/node" "$LOCAL_DIR/bin/node"
    rm -rf "$tmp"
    return 0
  fi
  log "download failed: $(tr '\n' ' ' <"$tmp/err")"
  rm -rf "$tmp"
  return 1
}

save_to_cache() {
  fits "$CACHED_BIN" && return 0
  if copy_bin "$LOCAL_DIR/bin/node" "$CACHED_BIN" 2>/dev/null; then
    log "cached a copy in $CACHED_BIN"
  else
    rm -f "$CACHED_BIN.tmp.$$"
    log "could not write the cache $CACHED_BIN (continuing)"
  fi
}

find_existing

# Nothing found: install, holding a lock so that two concurrent callers do not both download.
mkdir -p "$LOCAL_DIR/bin"
if command -v flock >/dev/null; then
  exec 9>"$REPO/.tools/.node-install.lock"
  flock 9
  find_existing
fi
if install_from_npm; then
  log "installed $LOCAL_DIR/bin/node ($("$LOCAL_DIR/bin/node" --version))"
  save_to_cache
  found "$LOCAL_DIR/bin/node"
fi
printf 'error: %s\n' "no Node.js $MIN_MAJOR found and installing it failed. Install Node.js $MIN_MAJOR LTS (https://nodejs.org) and put it on PATH, or set VITRINE_NODE to its node binary." >&2
exit 1

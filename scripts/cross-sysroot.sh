#!/usr/bin/env bash
# Unpacks the target's peer libraries (XNNPACK with pthreadpool and cpuinfo; oneDNN on arm64; zlib for
# qnn's CRC-32) into a folder of the build tree, for cross builds on a Debian host:
#   scripts/cross-sysroot.sh <armhf|arm64> [dir]      default dir: build/sysroot-<arch>
# Why not `apt-get install libxnnpack-dev:armhf`: these -dev packages are not co-installable with
# their amd64 versions (they share files such as /usr/lib/cmake/cpuinfo/*.cmake), so apt replaces the
# host's and breaks the native build. zlib1g-dev:<arch> is co-installable but pulls libc6-dev:<arch>,
# which apt may refuse next to the host's headers (linux-libc-dev). `apt-get download` + `dpkg-deb -x`
# touches nothing of the host.
# The multi-arch co-installable ones (libbenchmark-dev, libgtest-dev, libc6, libstdc++) come from
# apt (scripts/install-deps.sh --test). oneDNN is not packaged for armhf: its baselines are skipped.
# Needs `dpkg --add-architecture <arch>` and `apt-get update` done once. Idempotent (a stamp file).
set -euo pipefail

arch=${1:?usage: cross-sysroot.sh <armhf|arm64> [dir]}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${2:-$repo/build/sysroot-$arch}

packages=(libxnnpack-dev libxnnpack0 libpthreadpool-dev libpthreadpool0 libcpuinfo-dev libcpuinfo0 zlib1g-dev zlib1g)
case $arch in
  armhf) ;;
  arm64) packages+=(libdnnl-dev libdnnl2) ;;
  *) echo "cross-sysroot.sh: unknown architecture '$arch' (armhf or arm64)" >&2; exit 2 ;;
esac

stamp=$dir/.packages
if [[ -f $stamp && $(cat "$stamp") == "${packages[*]}" ]]; then
  exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
  echo "cross-sysroot.sh: dpkg does not know $arch; run: sudo dpkg --add-architecture $arch &&" \
    "sudo apt-get update" >&2
  exit 1
fi

downloads=$(mktemp -d)
trap 'rm -rf "$downloads"' EXIT
mkdir -p "$dir"
skipped=()
for p in "${packages[@]}"; do
  # A package the archive lacks for this architecture leaves its baseline out, not the build.
  if (cd "$downloads" && apt-get download -qq "$p:$arch" 2>/dev/null); then
    continue
  fi
  skipped+=("$p")
done
for deb in "$downloads"/*.deb; do
  [[ -e $deb ]] || continue
  dpkg-deb -x "$deb" "$dir"
done
if ((${#skipped[@]})); then
  echo "cross-sysroot.sh: not available for $arch (its baseline is skipped): ${skipped[*]}" >&2
fi
echo "${packages[*]}" >"$stamp"
echo "cross-sysroot.sh: $arch peer libraries in $dir"

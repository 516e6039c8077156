#!/usr/bin/env bash
# Runs any qbench command for 32-bit ARMv7 (armhf) or AArch64 under qemu-user on an x86 host,
# cross-building qbench first if needed (scripts/cross-build.sh):
#   scripts/cross-run.sh <armv7|aarch64> <qbench arguments...>
#   scripts/cross-run.sh armv7 verify --config configs/paper-table.json
#   QEMU_CPU=cortex-a7 scripts/cross-run.sh armv7 list
# CPU model: $QEMU_CPU, default cortex-a15 (ARMv7: the ODROID-XU4's big core) or max (AArch64: has
# the dot product, so every path runs). Timings under qemu say nothing about a board.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
arch=${1:?usage: cross-run.sh <armv7|aarch64> <qbench arguments...>}
shift
case $arch in
  armv7) triple=arm-linux-gnueabihf deb_arch=armhf qemu=qemu-arm cpu=${QEMU_CPU:-cortex-a15} ;;
  aarch64) triple=aarch64-linux-gnu deb_arch=arm64 qemu=qemu-aarch64 cpu=${QEMU_CPU:-max} ;;
  *) echo "cross-run.sh: unknown architecture '$arch' (armv7 or aarch64)" >&2; exit 2 ;;
esac
dir=$("$repo/scripts/cross-build.sh" "$arch" qbench | tail -n 1)
sysroot=$(dirname "$dir")/sysroot-$deb_arch
# -L: the target's dynamic loader and libc (libc6-<arch>-cross); the peers of the sysroot are on
# qbench's RUNPATH, and LD_LIBRARY_PATH covers what those load in turn.
exec "$qemu" -cpu "$cpu" -L "/usr/$triple" -E "LD_LIBRARY_PATH=$sysroot/usr/lib/$triple" \
  "$dir/harness/qbench" "$@"

#!/usr/bin/env bash
# Cross-builds the whole project (qbench with every baseline the architecture has, the qnn library,
# the C++ test suites) for 32-bit ARMv7 (Debian armhf) or AArch64 (arm64), as the board builds it:
#   scripts/cross-build.sh <armv7|aarch64> [target...]     default targets: qbench and the test suites
# Build directory: $LOWBIT_CROSS_BUILD_DIR/cross-<arch> (default build/cross-<arch>); configured once,
# then only rebuilt (CMake rebuilds what changed). Prints the build directory as its last line.
# Needs: g++-arm-linux-gnueabihf / g++-aarch64-linux-gnu, libbenchmark-dev:<arch>, libgtest-dev:<arch>
# (scripts/install-deps.sh --test) and the peers unpacked by scripts/cross-sysroot.sh (run here).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
arch=${1:?usage: cross-build.sh <armv7|aarch64> [target...]}
shift
case $arch in
  armv7) deb_arch=armhf toolchain=armv7-linux-gnueabihf.cmake ;;
  aarch64) deb_arch=arm64 toolchain=aarch64-linux-gnu.cmake ;;
  *) echo "cross-build.sh: unknown architecture '$arch' (armv7 or aarch64)" >&2; exit 2 ;;
esac
targets=("$@")
((${#targets[@]})) || targets=(qbench harness_tests kernel_tests qnn_tests)

build_root=${LOWBIT_CROSS_BUILD_DIR:-$repo/build}
dir=$build_root/cross-$arch
sysroot=$build_root/sysroot-$deb_arch
# Two shared cores on the development machine: -j2 unless asked otherwise.
jobs=${LOWBIT_CROSS_JOBS:-2}

"$repo/scripts/cross-sysroot.sh" "$deb_arch" "$sysroot" >&2
if [[ ! -f $dir/CMakeCache.txt ]]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S "$repo" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/$toolchain" -DLOWBIT_CROSS_SYSROOT="$sysroot" >&2
fi
cmake --build "$dir" -j "$jobs" --target "${targets[@]}" >&2
echo "$dir"

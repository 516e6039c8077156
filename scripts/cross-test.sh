#!/usr/bin/env bash
# Cross-builds kernel_tests for 32-bit ARMv7 (NEON) and AArch64 and runs them under qemu-user, with the
# CPU model forced so that every ARM path runs somewhere:
#   armv7   -cpu cortex-a15  (the paper's CPU): the neon paths
#   aarch64 -cpu max         (has the dot product): the neon64 and neondot paths
#   aarch64 -cpu cortex-a57  (has not): neon64 runs, neondot must be skipped and not chosen
# and once per architecture with LOWBIT_ISA=scalar (the forced-ISA selection under emulation; the
# tests that do not depend on it are not repeated).
# After each run it checks that the paths expected to run did run (not "skipped").
#
# Build directories: $LOWBIT_CROSS_BUILD_DIR/{armv7,aarch64}, default build/ in the repository.
# Needs: cmake, g++-arm-linux-gnueabihf, g++-aarch64-linux-gnu, qemu-user, libgtest-dev (sources).
# Exits non-zero on any failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_root=${LOWBIT_CROSS_BUILD_DIR:-$repo/build}
jobs=$(nproc 2>/dev/null || echo 2)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

say() { printf '\n==== %s\n' "$*"; }
run() {
  printf '+ %s\n' "$*" >&2
  "$@"
}

missing=()
for tool in cmake arm-linux-gnueabihf-g++ aarch64-linux-gnu-g++ qemu-arm qemu-aarch64; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "cross-test: missing ${missing[*]}" >&2
  echo "cross-test: install g++-arm-linux-gnueabihf g++-aarch64-linux-gnu qemu-user cmake" >&2
  exit 1
fi

build() {  # build <arch> <toolchain file>
  local dir=$build_root/$1
  say "build $1 in $dir"
  run cmake -S "$repo" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/$2" -DLOWBIT_BUILD_HARNESS=OFF | grep lowbit
  run cmake --build "$dir" --target kernel_tests -j "$jobs"
}

failures=0
runs=0
# check <arch> <qemu cpu> <LOWBIT_ISA or ""> <paths that must run> -- <paths that must be skipped>
# With LOWBIT_ISA set, only the tests it affects run: the per-path suite ignores it (it runs every
# compiled path the CPU supports), so running it again would only cost time.
check() {
  local arch=$1 cpu=$2 isa=$3
  shift 3
  local dir=$build_root/$arch log
  log=$(mktemp)
  runs=$((runs + 1))
  say "$arch under qemu -cpu $cpu${isa:+, LOWBIT_ISA=$isa}"
  local env_vars=(QEMU_CPU="$cpu")
  local select=()
  if [[ -n $isa ]]; then
    env_vars+=(LOWBIT_ISA="$isa")
    select=(-E 'AllCompiledPaths/GemmPathTest')
  fi
  local status=0
  (cd "$dir" && run env "${env_vars[@]}" ctest -j "$jobs" "${select[@]}" --output-on-failure \
    --timeout 600) \
    2>&1 | tee "$log" || status=$?
  local expect=run
  for path in "$@"; do
    if [[ $path == -- ]]; then expect=skip; continue; fi
    local line
    line=$(grep -E "PaperShapes/$path .*(Passed|Skipped|Failed)" "$log" || true)
    if [[ $expect == run && $line != *Passed* ]] || [[ $expect == skip && $line != *Skipped* ]]; then
      echo "cross-test: $path should have $([[ $expect == run ]] && echo passed || echo been skipped)" \
        "on -cpu $cpu: ${line:-not listed}" >&2
      status=1
    fi
  done
  rm -f "$log"
  if ((status != 0)); then
    echo "cross-test: FAILED: $arch -cpu $cpu${isa:+ LOWBIT_ISA=$isa}" >&2
    failures=$((failures + 1))
  fi
}

start=$SECONDS
build armv7 armv7-linux-gnueabihf.cmake
build aarch64 aarch64-linux-gnu.cmake

check armv7 cortex-a15 "" u8_gemm_4x12c2__neon u4_gemm_4x16c2__neon u4_6_gemm_4x16c2__neon \
  u8_gemm_4x8c1__scalar u4_gemm_4x8c2__scalar u4_6_gemm_4x8c1__scalar
check armv7 cortex-a15 scalar
check aarch64 max "" u8_gemm_8x12c2__neon64 u4_gemm_8x24c2__neon64 u4_6_gemm_8x16c2__neon64 \
  u8_gemm_8x12c4__neondot u4_gemm_8x12c8__neondot u4_6_gemm_8x12c4__neondot u8_gemm_4x8c1__scalar \
  u4_gemm_4x8c2__scalar u4_6_gemm_4x8c1__scalar
check aarch64 cortex-a57 "" u8_gemm_8x12c2__neon64 u4_gemm_8x24c2__neon64 u4_6_gemm_8x16c2__neon64 \
  -- u8_gemm_8x12c4__neondot u4_gemm_8x12c8__neondot u4_6_gemm_8x12c4__neondot
check aarch64 max scalar

say "cross-test: $((runs - failures)) of $runs qemu runs passed in $((SECONDS - start)) s"
((failures == 0))

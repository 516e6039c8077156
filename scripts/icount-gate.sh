#!/usr/bin/env bash
# The instruction-count regression gate: recounts configs/quick.json for each architecture and
# compares with the committed baseline (`lowbit regress`: a cell more than 2 % worse fails).
#
#   scripts/icount-gate.sh                 x86 (callgrind), armv7 and aarch64 (qemu-user + plugin)
#   scripts/icount-gate.sh armv7 aarch64   some of them
#
# Builds into $ICOUNT_BUILD_ROOT/icount-<arch> (default build/icount-<arch>); the fresh counts are
# left there as gate-quick.json. An intended change of the counts is accepted by regenerating the
# baseline and committing it (docs/instruction-counts.md):
#   PYTHONPATH=python /usr/bin/python3 -m lowbit icount --arch ARCH --config configs/quick.json \
#       --out results/baselines/icount-ARCH-quick.json --overwrite
#
# Exit status: 0 every architecture passed; 1 a regression (or a wrong result); 2 inconclusive (a
# different compiler, flags, CPU model or architecture than the baseline's, a missing baseline or
# tool, a failed build). As in `lowbit regress`, 2 wins over 1.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD_ROOT=${ICOUNT_BUILD_ROOT:-build}
archs=("$@")
[ ${#archs[@]} -eq 0 ] && archs=(x86 armv7 aarch64)

worst=0
summary=()
started=$SECONDS
for arch in "${archs[@]}"; do
  baseline=results/baselines/icount-$arch-quick.json
  out=$BUILD_ROOT/icount-$arch/gate-quick.json
  echo "== icount gate: $arch (baseline $baseline)"
  if [ ! -f "$baseline" ]; then
    echo "icount gate: $baseline is missing" >&2
    status=2
  else
    ICOUNT_BUILD_ROOT=$BUILD_ROOT PYTHONPATH=python "$PYTHON" -m lowbit icount --arch "$arch" --config configs/quick.json \
      --out "$out" --overwrite --compare "$baseline"
    status=$?
    [ $status -gt 2 ] && status=2  # 3: a tool is missing
  fi
  case $status in 0) verdict=PASS ;; 1) verdict=REGRESSION ;; *) verdict=INCONCLUSIVE ;; esac
  summary+=("$arch: $verdict")
  if [ $status -eq 2 ] || { [ $status -eq 1 ] && [ $worst -eq 0 ]; }; then worst=$status; fi
done
echo "== icount gate: ${summary[*]} ($((SECONDS - started)) s)"
exit $worst

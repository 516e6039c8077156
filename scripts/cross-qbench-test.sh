#!/usr/bin/env bash
# The whole project for the boards, checked under qemu-user on an x86 host (make test-cross-qbench):
#   scripts/cross-qbench-test.sh [armv7] [aarch64]        default: both
# For each architecture:
#   1. cross-builds qbench (every baseline the architecture has), qnn and the C++ test suites, with
#      Debian's compiler defaults and the baselines' SIMD (scripts/cross-build.sh);
#   2. the provenance names NEON for Eigen and gemmlowp (`qbench list` shows what each kernel runs);
#   3. runs every C++ test suite through ctest under qemu;
#   4. `qbench verify --config configs/paper-table.json`: passes, and every kernel the architecture
#      has verified all its shapes, none skipped (ARMv7: all but oneDNN, which Debian lacks for armhf);
#   5. `qbench qnn`: the accuracies on both test sets equal the host's (build/harness/qbench, or
#      $LOWBIT_HOST_QBENCH): exactly for the integer variants (their logits are bit-exact: qnn_tests
#      above compares them with memcmp), within FLOAT_TOLERANCE_PCT for the float network.
# Needs the host build and the QNN test sets (make build qnn-data). Exits non-zero on any failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
host_qbench=${LOWBIT_HOST_QBENCH:-$repo/build/harness/qbench}
# Float accuracies may differ by a near-tie image or two: NEON and x86 round the float sums in
# different orders. 0.1 percentage point = 3.6 images of 3600.
FLOAT_TOLERANCE_PCT=0.1
archs=("$@")
((${#archs[@]})) || archs=(armv7 aarch64)

say() { printf '\n==== %s\n' "$*"; }
failures=()
fail() {
  echo "cross-qbench-test: FAILED: $*" >&2
  failures+=("$*")
}

for tool in jq qemu-arm qemu-aarch64; do
  command -v "$tool" >/dev/null || { echo "cross-qbench-test: missing $tool (install-deps.sh --test)" >&2; exit 1; }
done
if [[ ! -x $host_qbench ]]; then
  echo "cross-qbench-test: no host qbench at $host_qbench (make build)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The accuracies of `qbench qnn`, short timing: only the accuracies are compared.
qnn_accuracies() {  # qnn_accuracies <out.json> <qbench command...>
  local out=$1
  shift
  "$@" qnn --config configs/qnn-mrz.json --repetitions 1 --min-time 0.000001 --out "$out" --overwrite \
    >/dev/null
}
say "host qbench qnn (the reference accuracies)"
qnn_accuracies "$work/host-qnn.json" "$host_qbench"
jq -c .context.qbench.qnn.accuracy_pct "$work/host-qnn.json"

start=$SECONDS
for arch in "${archs[@]}"; do
  case $arch in
    armv7) qemu_cpu=cortex-a15 expected=(float32 float32_rowmajor int32 uint8_gemmlowp uint8 uint4 uint4_6 xnnpack_u8) ;;
    aarch64) qemu_cpu=max expected=(float32 float32_rowmajor int32 uint8_gemmlowp uint8 uint4 uint4_6 xnnpack_u8
                                    onednn_s8 onednn_f32) ;;
    *) echo "cross-qbench-test: unknown architecture '$arch' (armv7 or aarch64)" >&2; exit 2 ;;
  esac
  export QEMU_CPU=$qemu_cpu
  say "$arch: cross build"
  dir=$(scripts/cross-build.sh "$arch" | tail -n 1)
  run=(scripts/cross-run.sh "$arch")

  say "$arch: what Eigen and gemmlowp were compiled with (qemu -cpu $qemu_cpu)"
  "${run[@]}" list | tee "$work/list.txt"
  grep -q '^  float32 .*NEON' "$work/list.txt" || fail "$arch: Eigen is not built with NEON"
  grep -q '^  uint8_gemmlowp .*NEON' "$work/list.txt" || fail "$arch: gemmlowp is not built with NEON"

  say "$arch: C++ test suites under qemu -cpu $qemu_cpu"
  # Left out: qbench verify of the paper table (step 4, with more checks), and ResultsFileTest and
  # Peak, which fork and exec qbench from inside the test: an ARM guest cannot exec an ARM binary
  # under qemu-user without binfmt_misc (those suites run natively in make test-cpp).
  (cd "$dir" && ctest --output-on-failure -j 2 --timeout 900 \
    -E "^(qbench_verifies_every_kernel_on_the_paper_shapes|ResultsFileTest\..*|Peak\..*)$") || fail "$arch: ctest"

  say "$arch: qbench verify --config configs/paper-table.json"
  if ! "${run[@]}" verify --config configs/paper-table.json 2>"$work/verify.txt"; then
    fail "$arch: qbench verify"
  fi
  tail -n 1 "$work/verify.txt"
  shapes=$(jq '.shapes | (.height | length) * (.width | length) * (.depth | length)' configs/paper-table.json)
  for kernel in "${expected[@]}"; do
    ok=$(grep -c "^verify $kernel [0-9x]*: ok$" "$work/verify.txt" || true)
    ((ok == shapes)) || fail "$arch: $kernel verified $ok of $shapes shapes$(grep "skipping $kernel:" "$work/verify.txt" | sed 's/^/; /')"
  done

  say "$arch: qbench qnn accuracies against the host's"
  qnn_accuracies "$work/$arch-qnn.json" "${run[@]}" || fail "$arch: qbench qnn"
  jq -c .context.qbench.qnn.accuracy_pct "$work/$arch-qnn.json"
  # One line per (variant, set) that differs beyond its tolerance; none expected.
  differences=$(jq -r --slurpfile host "$work/host-qnn.json" --argjson tol "$FLOAT_TOLERANCE_PCT" '
    .context.qbench.qnn.accuracy_pct | to_entries[] | .key as $variant | .value | to_entries[] |
    ($host[0].context.qbench.qnn.accuracy_pct[$variant][.key]) as $ref |
    select($ref == null or (if $variant == "float" then ((.value - $ref) | fabs) > $tol else .value != $ref end)) |
    "\($variant) on \(.key): \(.value) % here, \($ref) % on the host"' "$work/$arch-qnn.json")
  [[ -z $differences ]] || fail "$arch: qnn accuracies differ: $differences"
done

say "cross-qbench-test: ${archs[*]} in $((SECONDS - start)) s: ${#failures[@]} failure(s)"
for f in "${failures[@]}"; do echo "  $f"; done
((${#failures[@]} == 0))

#!/usr/bin/env bash
# Installs what the project needs from Debian/Ubuntu packages, for the machine's dpkg architecture
# (amd64, arm64, armhf: an ODROID-XU4 is armhf). Idempotent and fast when everything is present (one
# dpkg query). Uses sudo when not root.
#   scripts/install-deps.sh            build + reproduce (compiler, CMake, libraries, Python packages,
#                                      the OCR-B font the QNN test sets are drawn with)
#   scripts/install-deps.sh --test     + what `make test` needs (qemu, valgrind; on amd64 the ARM cross
#                                      compilers and the armhf/arm64 libraries of the cross builds)
#   scripts/install-deps.sh --train    + what `make train`, `make fxp` and `make distortion` need
#   --dry-run                          print the package set and install nothing
#   --arch armhf|arm64|amd64           the architecture to print the set for (with --dry-run)
set -euo pipefail

required=(g++ make cmake ninja-build git pkg-config
          libeigen3-dev libgemmlowp-dev libbenchmark-dev libbenchmark-tools nlohmann-json3-dev
          libcli11-dev libgtest-dev zlib1g-dev
          python3 python3-numpy python3-matplotlib python3-scipy python3-pytest python3-pil fonts-ocr-b
          dataset-fashion-mnist)
# Peer libraries: their baselines are built when present; skipped where the distribution lacks them.
optional=(libxnnpack-dev libpthreadpool-dev libcpuinfo-dev)
test=false train=false dry_run=false
arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
host_arch=$arch
while [ $# -gt 0 ]; do
  case "$1" in
    --test) test=true ;;
    --train) train=true ;;
    --dry-run) dry_run=true ;;
    --arch) arch=${2:-}; shift ;;
    --arch=*) arch=${1#--arch=} ;;
    *) echo "install-deps.sh: unknown option '$1' (use --test, --train, --dry-run, --arch)" >&2; exit 2 ;;
  esac
  shift
done
case "$arch" in
  amd64|arm64|armhf) ;;
  *) echo "install-deps.sh: unsupported architecture '$arch' (amd64, arm64 or armhf)" >&2; exit 2 ;;
esac
if [ "$arch" != "$host_arch" ] && ! $dry_run; then
  echo "install-deps.sh: --arch $arch on a $host_arch machine: only with --dry-run" >&2
  exit 2
fi

skipped=()
if [ "$arch" = armhf ]; then
  skipped+=("libdnnl-dev (oneDNN is not packaged for armhf: the onednn_s8 and onednn_f32 baselines are skipped)")
  skipped+=("python3-torch (PyTorch is not packaged for armhf: make reproduce skips the fixed-point and distortion evaluations)")
else
  optional+=(libdnnl-dev)
  # The fixed-point and distortion evaluations of make reproduce run the committed models in PyTorch.
  required+=(python3-torch)
fi
# Debian's npm conflicts with a nodejs installed from elsewhere ("held broken packages"): any npm will do.
command -v npm >/dev/null 2>&1 || required+=(npm)
cross_archs=()
if $test; then
  required+=(qemu-user valgrind python3-yaml)
  if [ "$arch" = amd64 ]; then
    # The ARM cross builds (scripts/cross-build.sh): compilers, and the target's libraries that are
    # co-installable through multiarch. XNNPACK, pthreadpool, cpuinfo and oneDNN are not (their -dev
    # packages share files with the amd64 ones): scripts/cross-sysroot.sh unpacks them instead.
    cross_archs=(armhf arm64)
    required+=(g++-arm-linux-gnueabihf g++-aarch64-linux-gnu
               libbenchmark-dev:armhf libgtest-dev:armhf libbenchmark-dev:arm64 libgtest-dev:arm64)
  fi
fi
if $train && [ "$arch" = armhf ]; then
  echo "install-deps.sh: --train needs python3-torch, which Debian does not package for armhf" >&2
  exit 2
fi

if $dry_run; then
  echo "architecture: $arch"
  echo "required: ${required[*]}"
  echo "optional: ${optional[*]}"
  [ ${#cross_archs[@]} -eq 0 ] || echo "foreign architectures: ${cross_archs[*]}"
  for s in "${skipped[@]}"; do echo "skipped: $s"; done
  exit 0
fi

for s in "${skipped[@]}"; do echo "install-deps.sh: skipped $s" >&2; done
missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}
installable() {
  local p
  for p in "$@"; do apt-cache show "$p" >/dev/null 2>&1 && echo "$p"; done
}
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
new_arch=false
for a in "${cross_archs[@]}"; do
  if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
    echo "install-deps.sh: dpkg --add-architecture $a (for the cross builds' libraries)"
    "${sudo[@]}" dpkg --add-architecture "$a"
    new_arch=true
  fi
done

mapfile -t need < <(missing "${required[@]}")
# An optional package the distribution lacks must not trigger an update on every run; on a fresh
# machine (no package lists yet) `need` is never empty and the lists are read after the update.
mapfile -t want < <(installable $(missing "${optional[@]}"))
if [ ${#need[@]} -eq 0 ] && [ ${#want[@]} -eq 0 ] && ! $new_arch; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-deps.sh: no apt-get; install these by hand: ${need[*]} ${want[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

echo "install-deps.sh: installing ${need[*]} ${want[*]}"
# A mirror may fail one index for a while ("Mirror sync in progress?"): what we need can still be
# installable from the others, so a failed update is a warning; a failed install below is the error.
if ! "${sudo[@]}" apt-get update -qq; then
  echo "install-deps.sh: apt-get update failed for some index; installing from the lists there are" >&2
fi
if [ ${#need[@]} -gt 0 ]; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# Optional packages one by one: a failure of one still leaves the rest.
mapfile -t want < <(installable $(missing "${optional[@]}"))
for p in "${want[@]}"; do
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$p" ||
    echo "install-deps.sh: optional $p failed to install; its baseline is skipped" >&2
done

#!/usr/bin/env bash
# Installs what the project needs from Debian/Ubuntu packages. Idempotent and fast when everything
# is present (one dpkg query). Uses sudo when not root.
#   scripts/install-deps.sh            build + reproduce (compiler, CMake, libraries, Python packages,
#                                      the OCR-B font the QNN test sets are drawn with)
#   scripts/install-deps.sh --test     + what `make test` needs (ARM cross compilers, qemu, valgrind)
#   scripts/install-deps.sh --train    + what `make train` needs (PyTorch)
set -euo pipefail

required=(g++ make cmake ninja-build git pkg-config
          libeigen3-dev libgemmlowp-dev libbenchmark-dev libbenchmark-tools nlohmann-json3-dev
          libcli11-dev libgtest-dev
          python3 python3-numpy python3-matplotlib python3-scipy python3-pytest python3-pil fonts-ocr-b)
# Peer libraries: their baselines are built when present; skipped where the distribution lacks them.
optional=(libdnnl-dev libxnnpack-dev libpthreadpool-dev libcpuinfo-dev)
for arg in "$@"; do
  case "$arg" in
    --test) required+=(qemu-user valgrind)
            if [ "$(uname -m)" = x86_64 ]; then required+=(g++-arm-linux-gnueabihf g++-aarch64-linux-gnu); fi ;;
    --train) required+=(python3-torch) ;;
    *) echo "install-deps.sh: unknown option '$arg' (use --test, --train)" >&2; exit 2 ;;
  esac
done

missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

mapfile -t need < <(missing "${required[@]}")
installable() {
  local p
  for p in "$@"; do apt-cache show "$p" >/dev/null 2>&1 && echo "$p"; done
}
# An optional package the distribution lacks must not trigger an update on every run; on a fresh
# machine (no package lists yet) `need` is never empty and the lists are read after the update.
mapfile -t want < <(installable $(missing "${optional[@]}"))
if [ ${#need[@]} -eq 0 ] && [ ${#want[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-deps.sh: no apt-get; install these by hand: ${need[*]} ${want[*]}" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
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

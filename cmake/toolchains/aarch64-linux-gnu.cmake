# Cross build for AArch64 (ARMv8-A, Debian arm64). The kernels need no global -march: the dot-product
# file gets -march=armv8.2-a+dotprod by itself and the path is chosen at run time; Advanced SIMD is
# part of ARMv8-A, so the baselines have NEON with the compiler's defaults.
#   scripts/cross-build.sh aarch64        (sysroot, configure, build; or by hand:)
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# Debian: g++-aarch64-linux-gnu, qemu-user (ctest runs the tests through qemu-aarch64; QEMU_CPU=max
# has the dot product, QEMU_CPU=cortex-a57 has not: scripts/cross-test.sh).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LOWBIT_CROSS_TRIPLE aarch64-linux-gnu)
set(LOWBIT_CROSS_DEB_ARCH arm64)
set(LOWBIT_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)

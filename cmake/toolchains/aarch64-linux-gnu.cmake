# Cross build for AArch64 (ARMv8-A). The kernels need no global -march: the dot-product file gets
# -march=armv8.2-a+dotprod by itself and the path is chosen at run time.
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DLOWBIT_BUILD_HARNESS=OFF
# Debian: g++-aarch64-linux-gnu, qemu-user (ctest runs the tests through qemu-aarch64; QEMU_CPU=max
# has the dot product, QEMU_CPU=cortex-a57 has not: scripts/cross-test.sh).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LOWBIT_CROSS_TRIPLE aarch64-linux-gnu)
set(LOWBIT_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)

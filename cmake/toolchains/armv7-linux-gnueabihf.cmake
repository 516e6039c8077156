# Cross build for 32-bit ARMv7 (Debian armhf), as the paper's board (ODROID-XU4) builds natively:
# the compiler's own defaults, -march=armv7-a+fp -mfloat-abi=hard without NEON. The NEON kernels get
# -mfpu=neon per file (kernels/CMakeLists.txt); the baselines get the target core's SIMD from
# cmake/BaselineSimd.cmake (LOWBIT_BASELINE_ARM_CPU, default cortex-a15 when cross-compiling).
#   scripts/cross-build.sh armv7          (sysroot, configure, build; or by hand:)
#   cmake -S . -B build/armv7 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/armv7-linux-gnueabihf.cmake
# Debian: g++-arm-linux-gnueabihf, qemu-user (ctest runs the tests through qemu-arm; QEMU_CPU=cortex-a15).
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(LOWBIT_CROSS_TRIPLE arm-linux-gnueabihf)
set(LOWBIT_CROSS_DEB_ARCH armhf)
set(LOWBIT_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)

# Cross build for 32-bit ARMv7 with NEON, tuned for the paper's CPU (ODROID-XU4: Cortex-A15).
#   cmake -S . -B build/armv7 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/armv7-linux-gnueabihf.cmake \
#         -DLOWBIT_BUILD_HARNESS=OFF
# Debian: g++-arm-linux-gnueabihf, qemu-user (ctest runs the tests through qemu-arm; QEMU_CPU=cortex-a15).
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(LOWBIT_CROSS_TRIPLE arm-linux-gnueabihf)
set(LOWBIT_CROSS_QEMU qemu-arm)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard -mtune=cortex-a15")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard -mtune=cortex-a15")
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)

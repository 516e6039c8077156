# What the Linux cross toolchain files share (included by aarch64-linux-gnu.cmake and
# armv7-linux-gnueabihf.cmake, which set LOWBIT_CROSS_TRIPLE, e.g. aarch64-linux-gnu, and
# LOWBIT_CROSS_QEMU, e.g. qemu-aarch64, first): the GNU cross compilers of the triple, the target's
# libraries and headers only, and qemu-user as the emulator.
set(CMAKE_SYSTEM_NAME Linux)

set(CMAKE_C_COMPILER ${LOWBIT_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${LOWBIT_CROSS_TRIPLE}-g++)

# Libraries and headers of the target only (the cross compiler knows its own sysroot; never add
# the host's /usr/include).
set(CMAKE_FIND_ROOT_PATH /usr/${LOWBIT_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest (and gtest_discover_tests) run target binaries through this. The CPU model can be chosen
# per run with QEMU_CPU (scripts/cross-test.sh does).
set(CMAKE_CROSSCOMPILING_EMULATOR ${LOWBIT_CROSS_QEMU} -L /usr/${LOWBIT_CROSS_TRIPLE})

# What the Linux cross toolchain files share (included by aarch64-linux-gnu.cmake and
# armv7-linux-gnueabihf.cmake, which set LOWBIT_CROSS_TRIPLE, e.g. aarch64-linux-gnu,
# LOWBIT_CROSS_DEB_ARCH, e.g. arm64, and LOWBIT_CROSS_QEMU, e.g. qemu-aarch64, first): Debian's GNU
# cross compilers of the triple with their own defaults (no -march/-mfpu/-mtune here: the cross build
# must compile what a native compiler on the board compiles), the target's libraries, and qemu-user
# as the emulator.
set(CMAKE_SYSTEM_NAME Linux)

set(CMAKE_C_COMPILER ${LOWBIT_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${LOWBIT_CROSS_TRIPLE}-g++)

# Target libraries come from two places:
# - Debian multiarch (/usr/lib/<triple>): what is co-installable with the host's packages
#   (libbenchmark-dev:<arch>, libgtest-dev:<arch>, libc6, libstdc++), found through
#   CMAKE_LIBRARY_ARCHITECTURE. Header-only libraries (Eigen, gemmlowp, nlohmann-json, CLI11) are
#   architecture-independent and come from the host's /usr/include and /usr/share, as for a native
#   build (Debian's cross compilers search /usr/include themselves).
# - LOWBIT_CROSS_SYSROOT: the peers that are not co-installable (XNNPACK, pthreadpool, cpuinfo,
#   oneDNN), unpacked by scripts/cross-sysroot.sh; searched first.
set(CMAKE_LIBRARY_ARCHITECTURE ${LOWBIT_CROSS_TRIPLE})
if(NOT DEFINED LOWBIT_CROSS_SYSROOT)
  get_filename_component(LOWBIT_CROSS_SYSROOT
                         ${CMAKE_CURRENT_LIST_DIR}/../../build/sysroot-${LOWBIT_CROSS_DEB_ARCH} ABSOLUTE)
endif()
set(CMAKE_FIND_ROOT_PATH ${LOWBIT_CROSS_SYSROOT} / /usr/${LOWBIT_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# try_compile re-reads this file in its own project: give it the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES LOWBIT_CROSS_SYSROOT)

# ctest (and gtest_discover_tests) run target binaries through this. The CPU model can be chosen
# per run with QEMU_CPU (scripts/cross-test.sh does). The sysroot's libraries are on the binaries'
# build RUNPATH, but what they load in turn (libXNNPACK.so.0 -> libpthreadpool.so.0) is not:
# LD_LIBRARY_PATH of the guest only.
set(CMAKE_CROSSCOMPILING_EMULATOR ${LOWBIT_CROSS_QEMU} -L /usr/${LOWBIT_CROSS_TRIPLE}
    -E LD_LIBRARY_PATH=${LOWBIT_CROSS_SYSROOT}/usr/lib/${LOWBIT_CROSS_TRIPLE})

# The flags the baseline libraries (Eigen, gemmlowp, and qnn's Eigen products) are compiled with: the
# SIMD of the CPU they will run on, as a user of those libraries builds them. Without it they compile
# their scalar code and every speedup over them is inflated (issue 12: Debian's armhf compiler
# defaults to -march=armv7-a+fp, no NEON, and rejects -march=native).
#
#   include(${PROJECT_SOURCE_DIR}/cmake/BaselineSimd.cmake)
#   lowbit_baseline_simd_flags(flags)      # a list, e.g. -march=native or -mcpu=cortex-a15
#
# - x86-64 and AArch64 built natively: -march=native when the compiler takes it.
# - 32-bit ARM: -mcpu=<core> (the core's NEON and VFPv4 through the compiler's -mfpu=auto, and its
#   tuning), the core being LOWBIT_BASELINE_ARM_CPU if set, else natively the core
#   scripts/pick-core.sh picks (the one the timings are pinned to), else cortex-a15, the paper's.
# - AArch64 cross-compiled: nothing (Advanced SIMD is part of ARMv8-A).
# LOWBIT_BASELINES_NATIVE=OFF gives no flags: the compiler's defaults (what the run then refuses to
# time where the CPU has SIMD the build lacks: harness/baseline_simd_guard.h).
include_guard(GLOBAL)
include(CheckCXXCompilerFlag)
include(CheckCXXSourceCompiles)

set(LOWBIT_BASELINE_ARM_CPU "" CACHE STRING
    "32-bit ARM: the -mcpu of the baselines (default: the core scripts/pick-core.sh picks natively, cortex-a15 when cross-compiling)")

# GCC's -mcpu name of an ARM core from its MIDR part number (/proc/cpuinfo "CPU part"), "" if unknown.
function(lowbit_arm_cpu_of_part part out)
  set(parts 0xc05 0xc07 0xc08 0xc09 0xc0d 0xc0e 0xc0f 0xd03 0xd04 0xd05 0xd07 0xd08 0xd09 0xd0a 0xd0b)
  set(names cortex-a5 cortex-a7 cortex-a8 cortex-a9 cortex-a12 cortex-a17 cortex-a15 cortex-a53
            cortex-a35 cortex-a55 cortex-a57 cortex-a72 cortex-a73 cortex-a75 cortex-a76)
  string(TOLOWER "${part}" part)
  list(FIND parts "${part}" index)
  set(name "")
  if(index GREATER_EQUAL 0)
    list(GET names ${index} name)
  endif()
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

function(lowbit_arm32_baseline_cpu out)
  set(cpu "${LOWBIT_BASELINE_ARM_CPU}")
  if(NOT cpu AND NOT CMAKE_CROSSCOMPILING)
    execute_process(COMMAND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../scripts/pick-core.sh --part
                    OUTPUT_VARIABLE part OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    lowbit_arm_cpu_of_part("${part}" cpu)
    if(NOT cpu)
      message(WARNING "baselines: unknown ARM core (CPU part '${part}'); set LOWBIT_BASELINE_ARM_CPU")
    endif()
  endif()
  if(NOT cpu)
    set(cpu cortex-a15)
  endif()
  set(${out} ${cpu} PARENT_SCOPE)
endfunction()

function(lowbit_baseline_simd_flags out)
  set(flags "")
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" processor)
  if(DEFINED LOWBIT_BASELINES_NATIVE AND NOT LOWBIT_BASELINES_NATIVE)
    # the compiler's defaults
  elseif(processor MATCHES "^arm" AND NOT processor MATCHES "^arm64")
    lowbit_arm32_baseline_cpu(cpu)
    set(flags -mcpu=${cpu})
  elseif(NOT CMAKE_CROSSCOMPILING)
    check_cxx_compiler_flag(-march=native LOWBIT_HAS_MARCH_NATIVE)
    if(LOWBIT_HAS_MARCH_NATIVE)
      set(flags -march=native)
    endif()
  endif()
  if(processor MATCHES "^(arm|aarch64)")
    set(CMAKE_REQUIRED_FLAGS "${flags}")
    string(MAKE_C_IDENTIFIER "LOWBIT_BASELINE_NEON_${flags}" neon_result)
    check_cxx_source_compiles("
      #if !defined(__ARM_NEON) && !defined(__ARM_NEON__)
      #error no NEON
      #endif
      int main() { return 0; }" ${neon_result})
    if(NOT ${neon_result})
      message(STATUS "baselines: '${flags}' gives no NEON: Eigen and gemmlowp are built scalar")
    endif()
  endif()
  message(STATUS "baselines: SIMD flags '${flags}'")
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

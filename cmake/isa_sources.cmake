# The ISA-suffix convention of the per-ISA source files: <anything>__<isa>.cc is compiled with that
# ISA's flags, and only when building for the architecture that has the ISA (LOWBIT_ARCH, set by
# kernels/CMakeLists.txt); which path runs is chosen at run time (lowbit::cpu_supports). Used by the
# kernels and by the peak loops (harness/peak), so an ISA's flags are written here only.
set(LOWBIT_ISA_FLAGS_avx2 -mavx2 -mfma -mbmi2)
set(LOWBIT_ISA_FLAGS_avx512bw ${LOWBIT_ISA_FLAGS_avx2} -mavx512f -mavx512bw -mavx512vl -mavx512dq)
set(LOWBIT_ISA_FLAGS_avx512vnni ${LOWBIT_ISA_FLAGS_avx512bw} -mavx512vnni)
set(LOWBIT_ISA_FLAGS_neon -mfpu=neon)
set(LOWBIT_ISA_FLAGS_neon64 "")  # AArch64 has Advanced SIMD by default; "" keeps it defined
set(LOWBIT_ISA_FLAGS_neondot -march=armv8.2-a+dotprod)
set(LOWBIT_ARCH_ISAS_x86_64 avx2 avx512bw avx512vnni)
set(LOWBIT_ARCH_ISAS_aarch64 neon64 neondot)
set(LOWBIT_ARCH_ISAS_armv7 neon)

# Adds to `target` the files <directory>/*__<isa>.cc of the ISAs of LOWBIT_ARCH, each with its flags.
function(lowbit_add_isa_sources target directory)
  file(GLOB sources CONFIGURE_DEPENDS ${directory}/*__*.cc)
  foreach(source IN LISTS sources)
    get_filename_component(stem ${source} NAME_WE)
    string(REGEX MATCH "__([a-z0-9]+)$" _ ${stem})
    set(isa ${CMAKE_MATCH_1})
    if(NOT DEFINED LOWBIT_ISA_FLAGS_${isa})
      message(FATAL_ERROR "${source}: unknown ISA suffix '__${isa}'")
    endif()
    if(isa IN_LIST LOWBIT_ARCH_ISAS_${LOWBIT_ARCH})
      target_sources(${target} PRIVATE ${source})
      set_source_files_properties(${source} PROPERTIES COMPILE_OPTIONS "${LOWBIT_ISA_FLAGS_${isa}}")
    endif()
  endforeach()
endfunction()

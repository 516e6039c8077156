# Tests of the runner: bad input gets its message and exit status 2; results files keep their
# structure; baselines agree with the reference.
set(expect ${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh)
set(bad ${CMAKE_CURRENT_SOURCE_DIR}/bad_configs)
# Cross builds: qbench is started by a host script (expect_exit.sh), so through the emulator.
set(qbench ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:qbench>)
foreach(case IN ITEMS
    "unknown-key|repititions: unknown key"
    "wrong-type|repetitions: must be a whole number"
    "zero-dimension|shapes\\[0\\]\\[1\\] \\(width\\): must be positive"
    "negative-dimension|shapes.width\\[0\\]: must be positive"
    "huge-dimension|shapes\\[0\\]\\[2\\] \\(depth\\): 1000000 is too large"
    "unknown-kernel|kernels\\[0\\]: unknown kernel 'uint3'"
    "unknown-isa|kernels\\[1\\]: unknown instruction set 'avx1024' in kernel 'uint4@avx1024'"
    "missing-shapes|shapes: missing"
    "zero-min-time|min_time: must be seconds"
    "not-json|not valid JSON")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 pattern)
  add_test(NAME config_rejects_${name}
           COMMAND ${expect} 2 "${pattern}" ${qbench} verify --config ${bad}/${name}.json)
endforeach()
add_test(NAME config_rejects_missing_file
         COMMAND ${expect} 2 "no-such.json: cannot open" ${qbench} verify --config no-such.json)
add_test(NAME cli_rejects_bad_shape
         COMMAND ${expect} 2 "--shapes: '8x100' is not HEIGHTxWIDTHxDEPTH"
                 ${qbench} verify --config ${PROJECT_SOURCE_DIR}/configs/quick.json --shapes 8x100)
add_test(NAME cli_rejects_unknown_kernel
         COMMAND ${expect} 2 "--kernels: unknown kernel 'fp16'"
                 ${qbench} verify --config ${PROJECT_SOURCE_DIR}/configs/quick.json --kernels uint4,fp16)
add_test(NAME cli_rejects_unknown_isa
         COMMAND ${expect} 2 "--kernels: unknown instruction set 'sse9' in kernel 'uint4@sse9'"
                 ${qbench} verify --config ${PROJECT_SOURCE_DIR}/configs/quick.json --kernels uint4@sse9)
add_test(NAME cli_rejects_per_path_id_of_a_library
         COMMAND ${expect} 2 "--kernels: unknown kernel 'float32@avx2': 'float32' has no per-instruction-set ids"
                 ${qbench} verify --config ${PROJECT_SOURCE_DIR}/configs/quick.json --kernels float32@avx2)
# A path of the other architecture family is never compiled in: refused on the command line.
if(LOWBIT_ARCH STREQUAL "x86_64")
  set(foreign_path uint4@neon)
else()
  set(foreign_path uint4@avx2)
endif()
add_test(NAME cli_rejects_path_not_compiled_in
         COMMAND ${expect} 2 "--kernels: kernel '${foreign_path}' cannot run here: no uint4 path for"
                 ${qbench} verify --config ${PROJECT_SOURCE_DIR}/configs/quick.json --kernels ${foreign_path})
add_test(NAME run_rejects_unwritable_out
         COMMAND ${expect} 2 "^qbench: /proc/qbench-results.json: cannot be written"
                 ${qbench} run --config ${PROJECT_SOURCE_DIR}/configs/quick.json --out /proc/qbench-results.json)
add_test(NAME qbench_lists_per_path_ids
         COMMAND sh -c "\"$@\" list | grep -E '^  uint4@scalar +u4_gemm_'" sh ${qbench})
add_test(NAME cli_rejects_unknown_option
         COMMAND ${expect} 2 "not expected: --frobnicate"
                 ${qbench} run --config ${PROJECT_SOURCE_DIR}/configs/quick.json --frobnicate)
# qbench lenet: a model that reproduces its fixtures is timed; one that does not is refused (exit 1).
set(lenet_models ${PROJECT_SOURCE_DIR}/models/distortion)
add_test(NAME qbench_lenet_checks_then_times
         COMMAND ${expect} 0 "reproduces 28 fixture images"
                 ${qbench} lenet --model ${lenet_models}/logit_scale-seed0.lenet
                 --fixtures ${lenet_models}/logit_scale-seed0.lenetfx --repetitions 1 --min-time 0.000001 --no-peak
                 --out ${CMAKE_CURRENT_BINARY_DIR}/lenet.json --overwrite)
add_test(NAME qbench_lenet_refuses_another_models_fixtures
         COMMAND ${expect} 1 "WRONG RESULT, nothing timed"
                 ${qbench} lenet --model ${lenet_models}/baseline-seed0.lenet
                 --fixtures ${lenet_models}/logit_scale-seed0.lenetfx --no-peak
                 --out ${CMAKE_CURRENT_BINARY_DIR}/lenet-refused.json --overwrite)
# Every input is checked before anything is measured: a missing model or .qnnf exits before the peak.
set(peak_message "peak rates measured")
add_test(NAME qbench_lenet_rejects_missing_model
         COMMAND ${expect} --absent "${peak_message}" 2 "no-such.lenet: cannot open"
                 ${qbench} lenet --model no-such.lenet --fixtures ${lenet_models}/logit_scale-seed0.lenetfx
                 --out ${CMAKE_CURRENT_BINARY_DIR}/lenet-missing.json --overwrite)
add_test(NAME qbench_lenet_rejects_missing_fixtures
         COMMAND ${expect} --absent "${peak_message}" 2 "no-such.lenetfx: cannot open"
                 ${qbench} lenet --model ${lenet_models}/logit_scale-seed0.lenet --fixtures no-such.lenetfx
                 --out ${CMAKE_CURRENT_BINARY_DIR}/lenet-missing.json --overwrite)
add_test(NAME qbench_qnn_rejects_missing_fxp
         COMMAND ${expect} --absent "${peak_message}" 2 "no-such.qnnf: cannot open network file"
                 ${qbench} qnn --config ${bad}/qnn-missing-fxp.json
                 --out ${CMAKE_CURRENT_BINARY_DIR}/qnn-missing.json --overwrite
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME qbench_qnn_rejects_fxp_variant_without_file
         COMMAND ${expect} --absent "${peak_message}" 2 "variants: fxp \\(QNN-FXP\\) needs the key"
                 ${qbench} qnn --config ${bad}/qnn-fxp-without-file.json
                 --out ${CMAKE_CURRENT_BINARY_DIR}/qnn-missing.json --overwrite
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME qbench_verifies_every_kernel_on_the_paper_shapes
         COMMAND ${qbench} verify --config ${PROJECT_SOURCE_DIR}/configs/paper-table.json)

add_executable(harness_tests results_file_test.cc baselines_test.cc peak_test.cc baseline_simd_test.cc
                             ${PROJECT_SOURCE_DIR}/harness/baseline_simd_guard.cc)
target_include_directories(harness_tests PRIVATE ${PROJECT_SOURCE_DIR}/harness)
target_link_libraries(harness_tests PRIVATE qbench_kernels qbench_results qbench_baselines nlohmann_json::nlohmann_json
                                            GTest::gtest_main)
target_compile_definitions(harness_tests PRIVATE QBENCH_EXE="$<TARGET_FILE:qbench>"
                                                 QBENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(harness_tests qbench)
gtest_discover_tests(harness_tests DISCOVERY_MODE PRE_TEST)

# A build whose baselines have no SIMD flags (LOWBIT_BASELINES_NATIVE=OFF: make test-sanitizers) has a
# scalar gemmlowp on x86-64 (no SSE4.1 by default) and scalar Eigen and gemmlowp on armhf: qbench must
# refuse to time it on a CPU with SIMD, and time it when told to.
if(NOT QBENCH_BASELINE_FLAGS AND NOT CMAKE_CXX_FLAGS AND LOWBIT_ARCH MATCHES "^(x86_64|armv7)$")
  add_test(NAME qbench_refuses_scalar_gemmlowp
           COMMAND ${expect} 2 "gemmlowp was compiled without SIMD"
                   ${qbench} run --config ${PROJECT_SOURCE_DIR}/configs/quick.json --kernels uint8_gemmlowp
                   --out ${CMAKE_CURRENT_BINARY_DIR}/refused.json --overwrite)
  add_test(NAME qbench_times_scalar_gemmlowp_when_allowed
           COMMAND ${qbench} run --config ${PROJECT_SOURCE_DIR}/configs/quick.json --kernels uint8_gemmlowp
                   --repetitions 1 --min-time 0.000001 --allow-scalar-baselines
                   --out ${CMAKE_CURRENT_BINARY_DIR}/allowed.json --overwrite)
endif()

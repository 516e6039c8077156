"""Deterministic instruction counts of the GEMM kernels, per product, in qbench's results format.

    PYTHONPATH=python /usr/bin/python3 -m lowbit icount --arch armv7 --config configs/quick.json --out counts.json
    PYTHONPATH=python /usr/bin/python3 -m lowbit icount --arch x86 --config configs/quick.json \
        --compare results/baselines/icount-x86-quick.json

    PYTHONPATH=python /usr/bin/python3 -m lowbit icount --arch armv7 --qnn --out results/baselines/icount-armv7-qnn.json

With --qnn (module qnn) it counts one forward pass of the QNN test's network per variant instead
(icount-driver --qnn; docs/qnn.md, "ARM instruction-count model"). For every kernel x shape of the
config it otherwise runs tools/icount/driver.cc (built here for the target with
CMake: natively for x86, cross-compiled for ARMv7 / AArch64) under a counter:

* ARMv7, AArch64: qemu-user with tools/icount/qemu_icount.c (a TCG plugin) and a fixed CPU model
  (ARMv7: cortex-a15, the paper's ODROID-XU4 core; AArch64: cortex-a76), so the counts are the same on
  every host;
* x86: valgrind's callgrind (LOWBIT_ISA=avx2: valgrind 3.19 cannot decode AVX-512), collecting inside
  the driver's counted_region only; or qemu-x86_64 -cpu Haswell with --tool qemu.

The driver verifies each product against lowbit::reference_gemm first, then runs a warm-up call and
1, 1 + reps and 1 + 2 reps products in three counted calls A, B, C; instructions per product =
(B - A) / reps, the fixed cost of a call cancelling, and C - B must equal B - A ("steady"; see
docs/instruction-counts.md). The guest runs with an empty environment (but
LOWBIT_ISA), a fixed argv[0] and a fixed random seed, so that its memory layout, and with it every
count, repeats exactly.

The output is qbench's results JSON (lowbit.results reads it; `lowbit regress` compares two):
context.qbench.measure = "instructions", one "iteration" entry per cell with the counter
"instructions" (per product), real_time 0. --compare BASELINE then runs the gate (lowbit.regress) on
BASELINE and the new file (threshold 2 %) and exits with its status.

Exit status: 0 done (and, with --compare, no regression); 1 a kernel's result was wrong, or a
regression; 2 bad usage, unusable config, or an inconclusive comparison (different compiler, flags,
CPU model, architecture); 3 a tool is missing (cross compiler, qemu-user, valgrind, CMake).

Modules: tools (architectures, tool lookup), build (CMake builds of the driver and the qemu plugin),
runner (the driver under a counter, one cell), document (the results file), qnn (--qnn: forward
passes of the QNN network), command (the CLI).
"""

from lowbit.icount.build import build, build_plugin
from lowbit.icount.command import add_parser, run
from lowbit.icount.runner import Runner, count_cell
from lowbit.icount.tools import ARCHES, Failure, Missing

__all__ = ["ARCHES", "Failure", "Missing", "Runner", "add_parser", "build", "build_plugin", "count_cell",
           "run"]

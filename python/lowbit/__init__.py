"""lowbit: the Python side of the low-bit GEMM benchmark harness.

Results of `qbench run` / `qbench qnn` / `lowbit icount` are read by lowbit.results (the one loader,
one error type: ResultsError) and turned into the paper's tables, plots, an HTML report and a
regression verdict; lowbit.icount counts instructions; lowbit.qnn makes the QNN test's data, trains
its network and renders its table. Every command runs through one command line:

    PYTHONPATH=python /usr/bin/python3 -m lowbit --help
"""

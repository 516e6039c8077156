"""`lowbit ab`: time two git revisions in one job, interleaved on one pinned core, and judge them.

build.py builds qbench at a revision (cached by commit), rounds.py runs the two binaries in
alternating rounds and merges their output into one results file, verdict.py splits that file into
its two sides and applies the regression gate (lowbit.regress), markdown.py writes the summary a
pull-request comment carries, command.py is the command line.
"""

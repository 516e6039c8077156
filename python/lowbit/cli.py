"""The one command line: `python3 -m lowbit <command> ...`.

Every command is a module with `add_parser(subparsers)`, which registers its subcommand and sets
`func` (called with the parsed arguments, returning the exit status). Adding a command is one line
in COMMANDS. A ResultsError (an unusable input file) from any command is printed here and exits
with status 2.
"""

from __future__ import annotations

import argparse
import sys

from lowbit import icount, plots, regress, report, summary, tables
from lowbit.ab import command as ab
from lowbit.claims import cli as claims
from lowbit.distortion import cli as distortion
from lowbit.fxp import cli as fxp
from lowbit.history import command as history
from lowbit.qnn import data as qnn_data
from lowbit.qnn import fxp as qnn_fxp
from lowbit.qnn import table as qnn_table
from lowbit.qnn import train as qnn_train
from lowbit.results import EXIT_BAD_INPUT, ResultsError

COMMANDS = (summary, tables, plots, report, regress, ab, history, icount, qnn_data, qnn_train,
            qnn_table, qnn_fxp, claims, distortion, fxp)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lowbit", description="Tables, plots, reports, the regression gate, A/B timing of two "
                                   "commits, history plots, instruction counts, "
                                   "the QNN test, the fixed-point search and the distortion training of "
                                   "the lowbit benchmark harness.",
        epilog="`lowbit COMMAND --help` describes each command. Exit status 2 on unusable input.")
    subparsers = parser.add_subparsers(metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ResultsError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT

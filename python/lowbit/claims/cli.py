"""`lowbit claims RUN_DIR`: evaluate every claim of the papers on one run, write claims.json, print the scoreboard.

Exit status 0 when every claim got a verdict (whatever the verdicts are); 2 when the catalogue is
unusable or RUN_DIR is not a directory. Missing or broken result files inside RUN_DIR are not
errors: the claims that need them are "not measurable", with the reason.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lowbit.claims import evaluate, scoreboard
from lowbit.claims.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue

EXIT_BAD_INPUT = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR",
                        help="a `make reproduce` run directory (paper-table.json, qnn.json, fxp.json, "
                             "distortion.json, icount-<arch>.json; any may be missing)")
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE,
                        help="the claims and their tolerances (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="where to write the verdicts (default: RUN_DIR/claims.json)")
    parser.set_defaults(func=run)


def add_parser(subparsers) -> None:
    """Register the `claims` subcommand of the lowbit command line."""
    doc = __doc__.splitlines()
    parser = subparsers.add_parser("claims", help=doc[0].split(": ", 1)[1],
                                   description=doc[0], epilog="\n".join(doc[2:]),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    configure(parser)


def run(args) -> int:
    if not args.run_dir.is_dir():
        print(f"error: {args.run_dir} is not a directory", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        catalogue = load_catalogue(args.catalogue)
    except CatalogueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    document = evaluate.evaluate(catalogue, args.run_dir)
    out = evaluate.write(document, args.out or args.run_dir / "claims.json")
    sys.stdout.write(scoreboard.render(document, str(out)))
    return 0


def main(argv=None) -> int:
    """`python -m lowbit.claims RUN_DIR`: the subcommand on its own."""
    parser = argparse.ArgumentParser(prog="python -m lowbit.claims", description=__doc__.splitlines()[0])
    configure(parser)
    args = parser.parse_args(argv)
    return args.func(args)

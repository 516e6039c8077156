"""`python3 -m lowbit.fxp <action>`: the `fxp` subcommand on its own."""
import argparse
import sys

from lowbit.fxp import cli


def main(argv=None):
    parser = argparse.ArgumentParser(prog="lowbit")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["fxp"] + list(sys.argv[1:] if argv is None else argv))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

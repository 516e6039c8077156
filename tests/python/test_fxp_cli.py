"""The `fxp` subcommand registers its actions on a parent parser (the project CLI's contract)."""
import argparse

from lowbit.fxp import cli


def parse(argv):
    parser = argparse.ArgumentParser(prog="lowbit")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_actions_and_defaults():
    args = parse(["fxp", "train", "--network", "sequential", "--deadline", "11:08"])
    assert args.func is cli.run_train and args.network == ["sequential"] and args.threads == 1
    args = parse(["fxp", "search", "--protocol", "split", "--search-images", "500"])
    assert args.func is cli.run_search and args.protocol == ["split"] and args.search_images == 500
    assert args.network == ["sequential", "branched"] and not args.independent
    assert parse(["fxp", "evaluate", "--stored"]).func is cli.run_table
    assert parse(["fxp", "table"]).model_dir == "models/fxp"


def test_deadline_parsing():
    assert cli.parse_deadline(None) is None
    assert cli.parse_deadline("2026-11-30T11:08:00+00:00") == 1_796_036_880.0

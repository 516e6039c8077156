"""`lowbit ab run` (build, time, judge), `lowbit ab judge` (judge an A/B results file again) and
`lowbit ab rates` (false-positive and detection rates over many A/B files).

Exit status, as `lowbit regress`: 0 pass, 1 regression, 2 inconclusive (another CPU model, compiler,
flags or architecture on one side; too few rounds; errored or partial runs; unusable input; a build
or run that failed).
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import sys
from pathlib import Path
from typing import Dict, List

from lowbit import regress
from lowbit.ab import build, markdown, rates, rounds, verdict
from lowbit.ab.errors import AbError

DEFAULT_ROUNDS = 10


def parse_env(assignments: List[str], parser) -> Dict[str, str]:
    env = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"expected NAME=VALUE, got '{item}'")
        env[name] = value
    return env


def default_out(repo: Path, builds: Dict[str, build.Build]) -> Path:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return (repo / "results" / f"ab-{builds['base'].commit[:8]}-{builds['head'].commit[:8]}-"
                               f"{stamp}.json")


def check_writable(path: Path) -> None:
    """Fail before any build or timing when the results cannot be written."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
        if not existed:
            path.unlink()
    except OSError as err:
        raise AbError(f"cannot write the results file {path}: {err}") from None


def write_verdict(path: Path, summary_path: Path, args) -> int:
    """Judge an A/B results file: the gate's text to stdout, the Markdown summary to a file."""
    threshold = verdict.DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    outcome = verdict.judge(path, args.mode, threshold, args.alpha, args.min_repetitions)
    sys.stdout.write(regress.render(outcome.report, outcome.base, outcome.head, args.mode,
                                    threshold, args.alpha, args.all))
    text = markdown.summary(outcome, path.name)
    summary_path.write_text(text, encoding="utf-8")
    sys.stdout.write("\n" + text)
    print(f"ab: summary in {summary_path}", file=sys.stderr)
    return outcome.exit_status


def run(args) -> int:
    repo = build.repository_root(Path.cwd())
    root = args.build_root if args.build_root.is_absolute() else repo / args.build_root
    envs = {"base": parse_env(args.base_env, args.parser), "head": parse_env(args.head_env, args.parser)}
    if args.out is not None:
        check_writable(args.out)
    builds = {
        "base": build.build_qbench(repo, root, args.base, shlex.split(args.base_cmake_args), args.jobs),
        "head": build.build_qbench(repo, root, args.head, shlex.split(args.head_cmake_args), args.jobs),
    }
    out = args.out or default_out(repo, builds)
    check_writable(out)
    cpu = args.cpu if args.cpu is not None else rounds.default_cpu()
    qbench_args = shlex.split(args.qbench_args)
    documents = rounds.run_rounds(builds, args.config, args.rounds, cpu, qbench_args, envs)
    merged = rounds.merge(builds, documents, args.config, cpu, envs)
    out.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    print(f"ab: results of both sides in {out}", file=sys.stderr)
    return write_verdict(out, args.summary or out.with_suffix(".md"), args)


def judge(args) -> int:
    return write_verdict(args.results, args.summary or args.results.with_suffix(".md"), args)


def add_gate_options(parser) -> None:
    parser.add_argument("--mode", choices=("absolute", "ratio"), default="absolute",
                        help="absolute: the times themselves; ratio: kernel / float32 of the same "
                             "run and round")
    parser.add_argument("--threshold", type=float, default=None,
                        help=f"relative median change that matters (default "
                             f"{verdict.DEFAULT_THRESHOLD}, from the A/A calibration)")
    parser.add_argument("--alpha", type=float, default=verdict.DEFAULT_ALPHA,
                        help="level of the one-sided Mann-Whitney U test (default %(default)s, "
                             "from the A/A calibration)")
    parser.add_argument("--min-repetitions", type=int, default=None,
                        help="fewest rounds per cell for a verdict (default: the fewest with which "
                             "the test can reject at alpha, at least 5; 7 for 0.001)")
    parser.add_argument("--summary", type=Path, default=None,
                        help="Markdown summary for a pull-request comment (default: results .md)")
    parser.add_argument("--all", action="store_true", help="also list every compared cell")


def add_run_options(parser) -> None:
    parser.add_argument("--base", required=True, help="the revision compared against")
    parser.add_argument("--head", default="HEAD", help="the revision judged (default HEAD)")
    parser.add_argument("--config", type=Path, default=Path("configs/quick.json"))
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help="rounds; each runs both binaries once (default %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file of both sides (default results/ab-<base>-<head>-<time>.json)")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin to (default: the last)")
    parser.add_argument("--build-root", type=Path, default=Path("build/ab"),
                        help="worktrees and builds, cached by commit (default build/ab)")
    parser.add_argument("--jobs", type=int, default=2, help="build parallelism (default 2)")
    parser.add_argument("--qbench-args", default="", help="more `qbench run` options, e.g. '--kernels uint4'")
    for side in ("base", "head"):
        parser.add_argument(f"--{side}-cmake-args", default="",
                            help=f"extra CMake options of the {side} build, as --{side}-cmake-args='-DX=1 ...'")
        parser.add_argument(f"--{side}-env", action="append", default=[], metavar="NAME=VALUE",
                            help=f"environment of the {side} runs (repeatable)")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "ab", help="A/B timing of two git revisions, interleaved on one core, judged by the gate",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(metavar="ACTION", required=True)
    run_parser = actions.add_parser("run", help="build both revisions, time them in rounds, judge")
    add_run_options(run_parser)
    add_gate_options(run_parser)
    run_parser.set_defaults(func=checked(run), parser=run_parser)
    judge_parser = actions.add_parser("judge", help="judge an A/B results file again")
    judge_parser.add_argument("results", type=Path, metavar="AB.json")
    add_gate_options(judge_parser)
    judge_parser.set_defaults(func=checked(judge), parser=judge_parser)
    rates.add_rates_parser(actions)


def checked(action):
    """The action, with an AbError printed and turned into exit status 2 (inconclusive)."""
    def guarded(args) -> int:
        if args.threshold is not None and args.threshold < 0 or not 0 < args.alpha < 1:
            args.parser.error("--threshold must be >= 0 and --alpha in (0, 1)")
        if getattr(args, "rounds", 1) < 1:
            args.parser.error("--rounds must be >= 1")
        try:
            return action(args)
        except AbError as err:
            print(f"ab: error: {err}", file=sys.stderr)
            return regress.EXIT_INCONCLUSIVE
    return guarded

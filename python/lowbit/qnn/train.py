"""`lowbit qnn-train`: trains the MRZ character network of the QNN test and exports
models/mrz-v1.qnnw, its fixtures and its report (docs/qnn.md). What `make train` runs: ~5 minutes on
2 cores, plus ~15-20 for the QNN-4.6 level-pair search.

The command line only: the training (PyTorch, lowbit.qnn.train_run) is imported when the command
runs, because python3-torch is installed only by `make deps-train` and every other command must work
without it.
"""
import os

from lowbit.paths import REPO_ROOT

MODELS = REPO_ROOT / "models"


def add_parser(subparsers):
    ap = subparsers.add_parser("qnn-train", help="train and export the QNN test's network (PyTorch)",
                               description="Trains the MRZ character network of the QNN test and "
                                           "exports models/mrz-v1.qnnw (docs/qnn.md).")
    ap.add_argument("--out", default=str(MODELS / "mrz-v1.qnnw"))
    ap.add_argument("--fixtures", default=str(MODELS / "mrz-v1-fixtures.bin"))
    ap.add_argument("--report", default=str(MODELS / "mrz-v1-report.json"))
    ap.add_argument("--data", default=str(MODELS / "data"), help="dataset cache")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--bn", action="store_true",
                    help="train with batch normalisation (folded before export; ~2x slower on CPU)")
    ap.add_argument("--qat-epochs", type=int, default=8)
    ap.add_argument("--qat-threshold", type=float, default=0.0,
                    help="fine-tune a variant when PTQ loses more than this many points on val")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--checkpoint", default=str(MODELS / "data" / "mrz-v1-checkpoint.pt"),
                    help="trained networks (PyTorch state), written after training")
    ap.add_argument("--export-only", action="store_true",
                    help="skip training: re-export the files from --checkpoint")
    ap.add_argument("--add-q46", action="store_true",
                    help="keep the float, QNN-8 and QNN-4 networks of --checkpoint as they are, run only "
                         "the QNN-4.6 level-pair search and QAT, add its result to the checkpoint, export")
    ap.add_argument("--no-q46", action="store_true", help="leave the 4.6-bit variant out")
    ap.add_argument("--q46-pairs", default="boundary",
                    help="candidate (N_x, N_w) pairs, e.g. 255x3,63x9; 'boundary' (default): the 11 "
                         "pairs on the constraint's boundary from (255, 3) to (23, 23)")
    ap.set_defaults(func=run, parser=ap)


def run(args):
    if args.export_only and args.add_q46:
        args.parser.error("--export-only and --add-q46 exclude each other")
    # OpenMP threads that spin at barriers crawl when another process holds a core (a shared
    # machine): let them sleep instead. Must be set before torch starts its thread pool.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from lowbit.qnn import train_run  # torch: see the module docstring

    return train_run.main(args)

"""The `fxp` subcommand: train, search, table (evaluate-only rebuild of the results)."""
import datetime

MODEL_DIR = "models/fxp"


def parse_deadline(text):
    """'HH:MM' (UTC today) or an ISO time -> POSIX seconds."""
    if text is None:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    if len(text) <= 5:
        hour, minute = (int(part) for part in text.split(":"))
        return now.replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp()
    return datetime.datetime.fromisoformat(text).timestamp()


def run_train(args):
    import torch
    from lowbit.fxp import train
    torch.set_num_threads(args.threads)
    for network in args.network:
        train.train(network, args.model_dir, args.epochs, parse_deadline(args.deadline),
                    log=lambda line: print(line, flush=True))
    return 0


def run_search(args):
    import torch
    from lowbit.fxp import pipeline
    torch.set_num_threads(args.threads)
    pipeline.search_all(args.network, args.protocol, args.model_dir, args.out_dir,
                        independent=args.independent, search_images=args.search_images, log=lambda line: print(line, flush=True))
    return 0


def run_table(args):
    import torch
    from lowbit.fxp import pipeline
    torch.set_num_threads(args.threads)
    pipeline.rebuild_table(args.model_dir, args.out_dir, stored=args.stored,
                           log=lambda line: print(line, flush=True))
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser("fxp", help="fixed-point per-layer quantization (Goyal et al.)")
    actions = parser.add_subparsers(dest="action", required=True)
    networks = ["sequential", "branched"]
    common = {"--model-dir": {"default": MODEL_DIR}, "--threads": {"type": int, "default": 1}}

    train = actions.add_parser("train", help="train the float networks (resumable)")
    train.add_argument("--network", nargs="+", choices=networks, default=networks)
    train.add_argument("--epochs", type=int, help="default: the paper's recipe")
    train.add_argument("--deadline", help="stop (and checkpoint) at this UTC time, HH:MM")
    train.set_defaults(func=run_train)

    search = actions.add_parser("search", help="run the per-layer BW/F search, write fxp.json")
    search.add_argument("--network", nargs="+", choices=networks, default=networks)
    search.add_argument("--protocol", nargs="+", choices=["test", "split"],
                        default=["test", "split"])
    search.add_argument("--independent", action="store_true",
                        help="quantize each layer alone (the paper's ablation)")
    search.add_argument("--search-images", type=int,
                        help="search on this many (seeded) of the protocol's search images; "
                             "default all, as the paper")
    search.add_argument("--out-dir", default="results/fxp")
    search.set_defaults(func=run_search)

    table = actions.add_parser("table", aliases=["evaluate"],
                               help="re-evaluate the committed models and searched BW/F, "
                                    "rebuild fxp.json and fxp-table.md/csv")
    table.add_argument("--out-dir", default="results/fxp")
    table.add_argument("--stored", action="store_true",
                       help="take the accuracies the search stored instead of re-evaluating")
    table.set_defaults(func=run_table)
    for sub in (train, search, table):
        for flag, options in common.items():
            sub.add_argument(flag, **options)
    return parser


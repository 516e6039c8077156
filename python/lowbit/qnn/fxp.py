"""`lowbit qnn-fxp`: QNN-FXP, the fixed-point search of Goyal et al. 2021 on the MRZ network, and its
export for the C++ engine (docs/qnn.md, "QNN-FXP").

    lowbit qnn-fxp                 search (about a minute), write models/mrz-v1-fxp.json, export
    lowbit qnn-fxp --export-only   re-evaluate and re-export the committed configuration
    lowbit qnn-fxp --protocol hard-split   search on half of hard: models/mrz-v1-fxp-hard-split.json only
    lowbit qnn-fxp --protocol val-hard     search on a held-out hard-like set: models/mrz-v1-fxp-val-hard.json only

Writes models/mrz-v1-fxp.json (the configuration, per-layer formats and schemes, accuracies of the
integer model, cost-model savings), models/mrz-v1-fxp.qnnf (the integer network) and
models/mrz-v1-fxp-fixtures.bin (logits and sums for a bit-exact C++ test). The modules need PyTorch
(python3-torch) and are imported when the command runs.
"""
import json
import os

from lowbit.paths import REPO_ROOT

MODELS = REPO_ROOT / "models"
PROTOCOLS = ("val", "hard-split", "val-hard")  # lowbit.qnn.fxp_search describes them; val is exported


def add_parser(subparsers):
    ap = subparsers.add_parser("qnn-fxp", help="QNN-FXP: fixed-point search of the MRZ network, export",
                               description="The fixed-point per-layer search of Goyal et al. 2021 on "
                                           "the QNN test's MRZ network, and its integer export.")
    ap.add_argument("--weights", default=str(MODELS / "mrz-v1.qnnw"), help="the float network")
    ap.add_argument("--protocol", default="val", choices=PROTOCOLS,
                    help="val (default, exported): search on the validation set; hard-split: search on "
                         "half of the hard test set, report on the other half; val-hard: search on a "
                         "held-out set drawn like the hard test set (the last two report only)")
    ap.add_argument("--report", help="default models/mrz-v1-fxp.json (val), "
                                     "models/mrz-v1-fxp-<protocol>.json (the others)")
    ap.add_argument("--out", default=str(MODELS / "mrz-v1-fxp.qnnf"))
    ap.add_argument("--fixtures", default=str(MODELS / "mrz-v1-fxp-fixtures.bin"))
    ap.add_argument("--data", default=str(MODELS / "data"), help="dataset cache (generated when missing)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--export-only", action="store_true",
                    help="keep the configuration of --report: re-evaluate and re-export it")
    ap.set_defaults(func=run)


def log(line):
    print(line, flush=True)


def run(args):
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see lowbit.qnn.train
    import torch
    from lowbit.qnn import fxp_export, fxp_search, weights
    from lowbit.qnn.train_run import load_set

    torch.set_num_threads(args.threads)
    report = args.report or str(MODELS / ("mrz-v1-fxp.json" if args.protocol == "val" else
                                          f"mrz-v1-fxp-{args.protocol}.json"))
    model = weights.load(args.weights)
    sets = {name: load_set(name, args.data) for name in fxp_search.data_sets(args.protocol)}
    if args.export_only:
        with open(report) as handle:
            old = json.load(handle)
        kept = {key: old[key] for key in ("search_accuracy_pct", "evaluations", "search_seconds", "records")}
        result = fxp_search.report(model, args.weights, args.protocol, fxp_search.config_of(old), kept, sets)
    else:
        result = fxp_search.searched(model, args.weights, args.protocol, sets, log=log)
    with open(report, "w") as handle:
        json.dump(result, handle, indent=1)
    for name, acc in result["accuracy_pct"].items():
        log(f"{name}: float {acc['float']:.2f}%, QNN-FXP (integer model) {acc['fxp']:.2f}%")
    if args.protocol == "val":
        fxp_export.export(model, fxp_search.config_of(result), sets, args.out, args.fixtures, log=log)
    log(f"wrote {report}")
    return 0

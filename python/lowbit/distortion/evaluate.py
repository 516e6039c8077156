"""Evaluation of the committed models: the choice of the training-only layer on the validation
split, then every (training, inference) on the test grid, mean and std over the seeds."""
import glob
import os
import re

import numpy as np

from . import blur, heads, lenet, metrics, quant

INFERENCES = ("float", "q8", "q4")
SUMMARY_KEYS = ("accuracy_pct", "error_free_zone_pct", "error_free_zone_max_logit_pct",
                "coverage_at_0_1pct_error_pct", "spearman_rho", "spearman_rho_max_logit")
ACCURACY_SLACK = 0.3  # points of validation accuracy a candidate may lose against the baseline


def find_models(model_dir):
    """{head: {seed: path}} of the `<head>-seed<k>.lenet` files."""
    found = {}
    for path in sorted(glob.glob(os.path.join(model_dir, "*-seed*.lenet"))):
        match = re.fullmatch(r"(.+)-seed(\d+)\.lenet", os.path.basename(path))
        if match and match.group(1) in heads.HEADS:
            found.setdefault(match.group(1), {})[int(match.group(2))] = path
    return found


def logits_by_inference(path, images, inferences=INFERENCES):
    """{inference: float32 logits} of one saved model."""
    net, ranges = lenet.load(path)
    out = {}
    for name in inferences:
        if name == "float":
            out[name] = lenet.logits_of(net, images)
        else:
            bits = int(name[1:])
            out[name] = quant.IntegerLeNet(net, ranges[bits], bits).forward(images)
    return out


def summarize(per_seed):
    """{key: {"mean", "std"}} over a list of per-seed measures (std with ddof = 1; None for a
    single seed)."""
    out = {}
    several = len(per_seed) > 1
    for key in SUMMARY_KEYS:
        values = np.array([m[key] for m in per_seed], np.float64)
        out[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if several else None}
    for key in ("accuracy_by_sigma_pct", "mean_response_by_sigma"):
        values = np.array([m[key] for m in per_seed], np.float64)
        out[key] = {"mean": values.mean(axis=0).tolist(),
                    "std": values.std(axis=0, ddof=1).tolist() if several else None}
    out["spearman_p_max"] = max(m["spearman_p"] for m in per_seed)
    return out


def choose_head(models, validation, log=print):
    """The candidate with the largest mean validation error-free zone (float) among those within
    ACCURACY_SLACK points of the baseline's mean validation accuracy, on the seeds every head has;
    ties go to the larger |rho|. Returns (head, {head: validation summary})."""
    seeds = sorted(set.intersection(*(set(s) for s in models.values())))
    if "baseline" not in models or not seeds:
        raise ValueError("selection needs the baseline and the candidates on common seeds")
    images, labels, sigmas = blur.on_grid(validation.images, validation.labels)
    table = {}
    for head in models:
        runs = [metrics.measure(logits_by_inference(models[head][s], images, ("float",))["float"],
                                labels, sigmas, blur.SIGMA_GRID) for s in seeds]
        table[head] = summarize(runs)
        log(f"validation {head}: accuracy {table[head]['accuracy_pct']['mean']:.2f}, "
            f"error-free zone {table[head]['error_free_zone_pct']['mean']:.2f}%")
    floor = table["baseline"]["accuracy_pct"]["mean"] - ACCURACY_SLACK
    candidates = [h for h in heads.CANDIDATES if h in table]
    eligible = [h for h in candidates if table[h]["accuracy_pct"]["mean"] >= floor] or candidates
    best = max(eligible, key=lambda h: (table[h]["error_free_zone_pct"]["mean"],
                                        abs(table[h]["spearman_rho"]["mean"])))
    return best, {"seeds": seeds, "accuracy_floor_pct": floor, "eligible": eligible,
                  "validation": table}


def evaluate_head(paths, test, log=print):
    """{inference: {"summary", "per_seed"}} of one head's models on the test grid, plus the raw
    per-seed arrays the plots need (kept out of the results file)."""
    images, labels, sigmas = blur.on_grid(test.images, test.labels)
    per_seed = {name: [] for name in INFERENCES}
    raw = {name: [] for name in INFERENCES}
    for seed, path in sorted(paths.items()):
        for name, logits in logits_by_inference(path, images).items():
            m = metrics.measure(logits, labels, sigmas, blur.SIGMA_GRID)
            per_seed[name].append(dict(m, seed=seed))
            raw[name].append(logits)
        log(f"test {os.path.basename(path)}: " + ", ".join(
            f"{n} {per_seed[n][-1]['accuracy_pct']:.2f}%" for n in INFERENCES))
    result = {name: {"summary": summarize(per_seed[name]), "per_seed": per_seed[name]}
              for name in INFERENCES}
    return result, {"labels": labels, "sigmas": sigmas, "logits": raw}


def row(training, head, inference, result):
    out = {"training": training, "head": head, "inference": inference,
           "seeds": [m["seed"] for m in result[inference]["per_seed"]]}
    out.update(result[inference]["summary"])
    out["per_seed"] = result[inference]["per_seed"]
    return out


def evaluate_all(splits, model_dir, log=print):
    """(results document, raw arrays for the plots) for the committed models in model_dir."""
    models = find_models(model_dir)
    chosen, selection = choose_head(models, splits["validation"], log)
    rows, ablations, raw = [], [], {}
    for head in models:
        result, arrays = evaluate_head(models[head], splits["test"], log)
        training = {"baseline": "baseline", chosen: "distortion"}.get(head)
        if training:
            rows += [row(training, head, name, result) for name in INFERENCES]
            raw[training] = dict(arrays, seeds=sorted(models[head]))
        else:
            ablations += [row("ablation", head, name, result) for name in INFERENCES]
    rows.sort(key=lambda r: (r["training"] != "baseline", INFERENCES.index(r["inference"])))
    doc = {"schema": "lowbit-distortion/1", "chosen_head": chosen,
           "seeds": sorted(set(models["baseline"]) & set(models[chosen])),
           "sigma_grid": list(blur.SIGMA_GRID), "sigma_max": blur.SIGMA_MAX,
           "test_images": int(len(splits["test"].labels)), "selection": selection,
           "rows": rows, "ablations": ablations}
    return doc, raw

"""distortion.json -> distortion-table.md: the main table, accuracy per sigma, the ablations and the
abstract's goals checked against the measured figures."""
import json

HEADLINE = (("accuracy_pct", "accuracy %", 2), ("error_free_zone_pct", "error-free zone %", 2),
            ("coverage_at_0_1pct_error_pct", "coverage at <=0.1% error %", 2),
            ("spearman_rho", "Spearman rho(r, sigma)", 3),
            ("error_free_zone_max_logit_pct", "error-free zone (max logit) %", 2),
            ("spearman_rho_max_logit", "rho(max logit, sigma)", 3))


def cell(stat, digits):
    if stat["std"] is None:
        return f"{stat['mean']:.{digits}f} (1 seed)"
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def main_table(rows):
    lines = ["| training | inference | " + " | ".join(h for _, h, _ in HEADLINE) + " |",
             "|---|---|" + "---|" * len(HEADLINE)]
    for row in rows:
        lines.append(f"| {row['training']} ({row['head']}) | {row['inference']} | "
                     + " | ".join(cell(row[k], d) for k, _, d in HEADLINE) + " |")
    return lines


def per_sigma_table(rows, grid, key, digits):
    lines = ["| training | inference | " + " | ".join(f"sigma {s:g}" for s in grid) + " |",
             "|---|---|" + "---|" * len(grid)]
    for row in rows:
        stat = row[key]
        stds = stat["std"] or [None] * len(stat["mean"])
        lines.append(f"| {row['training']} ({row['head']}) | {row['inference']} | " + " | ".join(
            cell({"mean": m, "std": s}, digits) for m, s in zip(stat["mean"], stds)) + " |")
    return lines


def find(rows, training, inference):
    return next(r for r in rows if r["training"] == training and r["inference"] == inference)


def goal_lines(rows):
    """The abstract's claims as the issue words them, each with the measured figures."""
    out = []
    for inference in ("float", "q4"):
        base, new = find(rows, "baseline", inference), find(rows, "distortion", inference)
        d_all = new["accuracy_pct"]["mean"] - base["accuracy_pct"]["mean"]
        d_0 = new["accuracy_by_sigma_pct"]["mean"][0] - base["accuracy_by_sigma_pct"]["mean"][0]
        zone_b, zone_n = base["error_free_zone_pct"]["mean"], new["error_free_zone_pct"]["mean"]
        rho_b, rho_n = base["spearman_rho"]["mean"], new["spearman_rho"]["mean"]
        verdict = lambda ok: "holds" if ok else "does not hold"  # noqa: E731
        out += [f"- {inference}: no quality loss (within 0.3 points overall and at sigma 0): "
                f"{d_all:+.2f} overall, {d_0:+.2f} at sigma 0 -> {verdict(d_all >= -0.3 and d_0 >= -0.3)}",
                f"- {inference}: error-free zone >= 20% (new) vs <= 5% (baseline): {zone_n:.2f}% vs "
                f"{zone_b:.2f}% -> {verdict(zone_n >= 20 and zone_b <= 5)}",
                f"- {inference}: |rho| >= 0.7 and above the baseline's: {rho_n:.3f} vs {rho_b:.3f} -> "
                f"{verdict(abs(rho_n) >= 0.7 and abs(rho_n) > abs(rho_b))}"]
    return out


def render(doc):
    rows, grid = doc["rows"], doc["sigma_grid"]
    seeds = ", ".join(str(s) for s in doc["seeds"])
    lines = [f"# Training with the distortion level: LeNet-5 on blurred MNIST (seeds {seeds})", "",
             f"Distortion training = training-only layer `{doc['chosen_head']}` (chosen on the "
             "validation split); baseline = plain cross-entropy on the same blurred data. Test: "
             f"{doc['test_images']} digits x {len(grid)} sigmas; mean ± std over the seeds. "
             "q8 / q4 = the Python integer reference (QNN-8 / QNN-4 conventions).", ""]
    lines += main_table(rows) + ["", "Accuracy (%) per sigma:", ""]
    lines += per_sigma_table(rows, grid, "accuracy_by_sigma_pct", 2)
    lines += ["", "Mean response r (max softmax) per sigma:", ""]
    lines += per_sigma_table(rows, grid, "mean_response_by_sigma", 3)
    lines += ["", "The abstract's goals, measured:", ""] + goal_lines(rows)
    if doc.get("ablations"):
        lines += ["", "Ablations (the other training-only layers, test grid):", ""]
        lines += main_table(doc["ablations"])
    sel = doc["selection"]
    lines += ["", f"Selection (validation, float, seeds {sel['seeds']}): accuracy floor "
              f"{sel['accuracy_floor_pct']:.2f}%, eligible {', '.join(sel['eligible'])}:", "",
              "| head | validation accuracy % | error-free zone % | rho |", "|---|---|---|---|"]
    for head, v in sel["validation"].items():
        lines.append(f"| {head} | {cell(v['accuracy_pct'], 2)} | {cell(v['error_free_zone_pct'], 2)} | "
                     f"{cell(v['spearman_rho'], 3)} |")
    return "\n".join(lines) + "\n"


def write(results_path, out_path):
    with open(results_path) as f:
        doc = json.load(f)
    with open(out_path, "w") as f:
        f.write(render(doc))

"""fxp.json, fxp-table.md / .csv and the per-layer bitwidth plot, beside the paper's rows."""
import csv
import json
import os

from lowbit.fxp import cost, models, published, train

KINDS = ("weights", "biases", "activations")
COLUMNS = ["network", "dataset", "protocol", "source", "epochs_trained", "search_images",
           "report_images", "float_acc_pct", "fxp_acc_pct", "relative_drop_pct",
           "memory_saving_pct", "mult_saving_pct", "memory_kb"]


def epochs_trained(model_dir, network):
    path = train.paths(model_dir, network)["log"]
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)["epochs_trained"]


def layer_table(order, config):
    return [{"name": name, **{kind: {"bw": config[kind][name][0], "f": config[kind][name][1]}
                              for kind in KINDS}} for name in order]


def sizes_of(network):
    return cost.layer_sizes(models.build(network), models.INPUT_SIZE[network])


def result_row(result, float_acc, fxp_acc, config, model_dir):
    network = result["network"]
    saving = cost.config_savings(sizes_of(network), config)
    return {"network": network, "dataset": "fashion-mnist", "protocol": result["protocol"]
            + ("-independent" if result["independent"] else ""), "source": "this run",
            "epochs_trained": epochs_trained(model_dir, network),
            "search_images": result["search_images"], "report_images": result["report_images"],
            "float_acc_pct": round(float_acc, 2), "fxp_acc_pct": round(fxp_acc, 2),
            "relative_drop_pct": round(100 * (float_acc - fxp_acc) / float_acc, 3),
            "memory_saving_pct": round(saving["memory_saving_pct"], 2),
            "mult_saving_pct": round(saving["mult_saving_pct"], 2),
            "memory_kb": round(saving["memory_kb"], 2),
            "layers": layer_table(result["order"], config)}


def float_only_row(network, float_acc, model_dir):
    """A trained network not searched yet: its float accuracy on the test set, nothing else."""
    return {"network": network, "dataset": "fashion-mnist", "protocol": "-", "source": "this run",
            "epochs_trained": epochs_trained(model_dir, network), "search_images": None,
            "report_images": 10_000, "float_acc_pct": round(float_acc, 2),
            "note": "float network only: not searched yet"}


def paper_rows():
    """The paper's eight rows; Fashion-MNIST ones carry the authors' per-layer BW/F."""
    rows = []
    for network, dataset, *_ in published.ROWS:
        row = {"network": network, "dataset": dataset, "protocol": "test", "source": "paper",
               **published.row(network, dataset)}
        if dataset in published.AVAILABLE:
            order = published.PUBLISHED_LAYERS[network][0]
            row["layers"] = layer_table(order, published.config(network))
            row["memory_kb"] = round(cost.config_savings(sizes_of(network),
                                                         published.config(network))["memory_kb"], 2)
        else:
            row["note"] = "data set not available here (not packaged in Debian)"
        if (network, dataset) == ("branched", "fashion-mnist"):
            row["note"] = ("published savings pair bitwidths and layer sizes by list position; "
                           "layer by layer they are 51.25% / 76.75% (docs/fixed-point.md)")
        rows.append(row)
    return rows


def cost_check():
    """The published savings recomputed from the published per-layer bitwidths, both pairings."""
    check = {}
    for network in ("sequential", "branched"):
        sizes = sizes_of(network)
        check[f"{network}_layer_matched"] = cost.config_savings(sizes, published.config(network))
    by_name = {s.name: s for s in sizes_of("branched")}
    saved = [by_name[name] for name in published.BRANCHED_SAVED_ORDER]
    bws = [[bf[0] for bf in published.BRANCHED_FASHION[k]] for k in KINDS]
    check["branched_published_pairing"] = cost.savings(saved, *bws)
    return check


def write_all(rows, model_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    document = {"paper": "Goyal, Vanschoren, van Acht, Nijssen, arXiv 2102.02147 (2021)",
                "rows": rows, "paper_rows": paper_rows(), "paper_cost_check": cost_check(),
                "epochs_trained": {n: epochs_trained(model_dir, n) for n in models.NETWORKS}}
    with open(os.path.join(out_dir, "fxp.json"), "w") as handle:
        json.dump(document, handle, indent=1)
    write_csv(rows + document["paper_rows"], os.path.join(out_dir, "fxp-table.csv"))
    with open(os.path.join(out_dir, "fxp-table.md"), "w") as handle:
        handle.write(markdown(document))
    plot_bitwidths(rows, os.path.join(out_dir, "fxp-bitwidths.png"))


def write_csv(rows, path):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS + ["note"] + [f"{k}_bw_f" for k in KINDS])
        for row in rows:
            layers = row.get("layers", [])
            per_kind = [" ".join(f"{l['name']}:{l[k]['bw']}/{l[k]['f']}" for l in layers)
                        for k in KINDS]
            writer.writerow([row.get(c, "") for c in COLUMNS] + [row.get("note", "")] + per_kind)


def cell(value):
    return "" if value is None else str(value)


def markdown(document):
    lines = ["# Fixed-point per-layer quantization (Goyal et al. 2021): results", "",
             "Accuracies in %, relative drop = (float - fxp) / float, savings against every "
             "tensor at 8 bits. Generated by `python3 -m lowbit.fxp table`.", "",
             "| " + " | ".join(COLUMNS) + " | note |", "|" + "---|" * (len(COLUMNS) + 1)]
    for row in document["rows"] + document["paper_rows"]:
        lines.append("| " + " | ".join(cell(row.get(c)) for c in COLUMNS)
                     + f" | {row.get('note', '')} |")
    check = document["paper_cost_check"]
    lines += ["", "## The paper's savings recomputed from its per-layer bitwidths", "",
              "| network | pairing | memory KB | memory saving % | mult. saving % |",
              "|---|---|---|---|---|"]
    for key, value in check.items():
        network, pairing = key.split("_", 1)
        lines.append(f"| {network} | {pairing.replace('_', ' ')} | {value['memory_kb']:.2f} | "
                     f"{value['memory_saving_pct']:.2f} | {value['mult_saving_pct']:.2f} |")
    for row in document["rows"] + document["paper_rows"]:
        if "layers" in row:
            lines += layer_markdown(row)
    return "\n".join(lines) + "\n"


def layer_markdown(row):
    title = f"{row['network']} / {row['dataset']} / {row['protocol']} ({row['source']})"
    lines = ["", f"### Per-layer BW/F: {title}", "",
             "| layer | weights BW/F | biases BW/F | activations BW/F |", "|---|---|---|---|"]
    for layer in row["layers"]:
        lines.append(f"| {layer['name']} | " + " | ".join(
            f"{layer[k]['bw']}/{layer[k]['f']}" for k in KINDS) + " |")
    return lines


def plot_bitwidths(rows, path):
    """Per-layer BW of weights, biases and activations: ours (protocol 'test') beside the paper's;
    a network without a search result of ours shows the paper's bars alone."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paper = {r["network"]: r for r in paper_rows() if "layers" in r}
    ours = [r for r in rows if r["protocol"] == "test"] or rows
    networks = ["sequential", "branched"]
    fig, axes = plt.subplots(3, len(networks), figsize=(8 * len(networks), 9), squeeze=False)
    for col, network in enumerate(networks):
        mine = next((r for r in ours if r["network"] == network and "layers" in r), None)
        for row_index, kind in enumerate(KINDS):
            axis = axes[row_index][col]
            names = [l["name"] for l in paper[network]["layers"]]
            positions = range(len(names))
            axis.bar([p - 0.2 for p in positions],
                     [l[kind]["bw"] for l in paper[network]["layers"]], 0.4, label="paper")
            if mine is not None:
                bw = {l["name"]: l[kind]["bw"] for l in mine["layers"]}
                axis.bar([p + 0.2 for p in positions], [bw[n] for n in names], 0.4, label="ours")
            axis.set_xticks(list(positions), names, rotation=90, fontsize=7)
            axis.set_ylabel(f"{kind} BW")
            axis.set_title(f"{network} CNN, Fashion-MNIST: {kind}")
            axis.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

"""lowbit.qnn.table: the QNN table from a `qbench qnn` results file, with the QNN-4.6 row."""
import json

from lowbit.qnn import table as qnn_table


def _results(tmp_path, variants):
    accuracy = {v: {"synthetic": 100.0, "hard": 98.0 + i / 10} for i, v in enumerate(variants)}
    times = {"float": 30.0, "q8": 16.0, "q4": 15.0, "q4_6": 15.5, "q32": 210.0}
    benchmarks = []
    for v in variants:
        for part, scale in (("conv", 0.98), ("total", 1.0)):
            for rep in range(3):
                benchmarks.append({"name": f"qnn/{v}/{part}", "run_name": f"qnn/{v}/{part}", "run_type": "iteration",
                                   "real_time": times[v] * scale + rep * 0.1, "time_unit": "us"})
    doc = {"context": {"qbench": {"cpu_model": "test CPU", "arch": "x86_64", "compiler": "cc",
                                  "qnn": {"accuracy_pct": accuracy, "gemm": {v: f"gemm_{v}" for v in variants},
                                          "levels": {"q4_6": {"activations": 63, "weights": 9}}}}},
           "benchmarks": benchmarks}
    path = tmp_path / "qnn.json"
    path.write_text(json.dumps(doc))
    return path


def test_q46_row_has_no_paper_values(tmp_path):
    text = qnn_table.render(_results(tmp_path, ["float", "q8", "q4", "q4_6", "q32"]), qnn_table.REFERENCE)
    rows = {}  # the main table's rows (the first line of each name)
    for line in text.splitlines():
        if line.startswith("| "):
            rows.setdefault(line.split(" | ")[0].lstrip("| "), line)
    q46 = [c.strip() for c in rows["QNN-4.6"].strip("|").split("|")]
    # model, acc synthetic, paper, acc hard, paper, conv, paper conv, total, paper total, ratio, paper ratio
    assert q46[0] == "QNN-4.6"
    assert q46[2] == q46[4] == q46[6] == q46[8] == q46[10] == "-"
    assert q46[1] == "100.00" and q46[9] == "0.52"  # 15.6 / 30.1 (medians)
    # order: after QNN-4, before QNN-32
    order = [line.split(" | ")[0].lstrip("| ") for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert order.index("QNN-4.6") == order.index("QNN-4") + 1 and order.index("QNN-32") == order.index("QNN-4.6") + 1
    assert "| QNN-4 | 1.03 | 1.03 |" in text  # QNN-4.6 vs QNN-4 (conv, total)
    assert "N_x = 63" in text and "N_w = 9" in text
    # the paper's rows keep their values
    assert "99.2" in rows["QNN-4"]


def test_without_q46(tmp_path):
    text = qnn_table.render(_results(tmp_path, ["float", "q8", "q4", "q32"]), qnn_table.REFERENCE)
    assert "QNN-4.6" not in text.replace("QNN-4.6 levels", "")
    assert "QNN-4.6 vs" not in text

"""lowbit.qnn.table: the QNN table from a `qbench qnn` results file, with the QNN-4.6 row."""
import json

import pytest

from lowbit.qnn import table as qnn_table
from lowbit.results import ResultsError


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


def _split_results(tmp_path):
    """A file as `qbench qnn` writes it since the split: one total cell per variant, its counters."""
    benchmarks = []
    for v, total in (("float", 30.0), ("q4", 15.0)):
        for rep in range(3):
            stages = {"input_us": 0.5, "im2col_us": 2.0, "gemm_us": total - 6.0 + rep, "requantize_us": 2.5,
                      "fc_us": 0.5}
            layers = {f"layer{i}_us": 1.0 for i in range(1, 8)}
            benchmarks.append({"name": f"qnn/{v}/total", "run_name": f"qnn/{v}/total", "run_type": "iteration",
                               "real_time": total + rep + 0.3, "cpu_time": total / 2 + rep, "time_unit": "us",
                               "conv_us": sum(stages.values()) - 0.5, **stages, **layers})
    doc = {"context": {"qbench": {"qnn": {"accuracy_pct": {"float": {"hard": 98.0}, "q4": {"hard": 97.0}},
                                          "gemm": {"float": "eigen_f32", "q4": "u4_x"}}}},
           "benchmarks": benchmarks}
    path = tmp_path / "qnn.json"
    path.write_text(json.dumps(doc))
    return path


def test_conv_and_split_come_from_the_total_cell(tmp_path):
    qbench, accuracy, times = qnn_table.load_qnn(_split_results(tmp_path))
    assert times["q4"]["conv"] == [14.0, 15.0, 16.0] and times["q4"]["total"] == [15.3, 16.3, 17.3]
    assert times["float"]["gemm"] == [24.0, 25.0, 26.0] and times["float"]["layer7"] == [1.0] * 3
    text = qnn_table.render(_split_results(tmp_path), qnn_table.REFERENCE)
    # the main table: conv 0.0150 ms <= total 0.0163 ms; the split: gemm 10.0 us of 15.5 summed
    # CPU time / float: (7.5 + 1) / (15 + 1)
    assert "| QNN-4 | 97.00 | 95.0 | 0.0150 | 0.45 | 0.0163 | 0.63 | 0.52 | 0.52 | 0.53 |" in text
    assert "| QNN-4 | 16.3 | 0.5 (3) | 2.0 (13) | 10.0 (65) | 2.5 (16) | 0.5 (3) |" in text


def test_icount_table(tmp_path):
    counts = {"float": 1_000_000, "q8": 700_000, "q4": 500_000}
    doc = {"context": {"qbench": {"arch": "armv7", "cpu_model": "cortex-a15",
                                  "qnn": {v: {"gemm": f"g_{v}", "macs": 1} for v in counts}}},
           "benchmarks": [{"name": f"qnn/{v}/forward", "instructions": n} for v, n in counts.items()]}
    path = tmp_path / "icount.json"
    path.write_text(json.dumps(doc))
    text = qnn_table.render(_split_results(tmp_path), qnn_table.REFERENCE, path)
    assert "| QNN-8 | g_q8 | 700,000 | 0.700 | 0.61 |" in text
    assert "| QNN-4 | g_q4 | 500,000 | 0.500 | 0.52 |" in text
    doc["benchmarks"] = doc["benchmarks"][1:]
    path.write_text(json.dumps(doc))
    with pytest.raises(ResultsError, match="float"):
        qnn_table.render(_split_results(tmp_path), qnn_table.REFERENCE, path)


def test_fxp_row_from_qbench(tmp_path):
    """A results file with QNN-FXP: its times in the row, against QNN-8 in its own table, and the C++
    accuracy checked against the report's Python figures."""
    path = _results(tmp_path, ["float", "q8", "q4", "q4_6", "q32"])
    doc = json.loads(path.read_text())
    report = json.loads(qnn_table.FXP_REPORT.read_text())
    doc["context"]["qbench"]["qnn"]["accuracy_pct"]["fxp"] = {s: report["accuracy_pct"][s]["fxp"]
                                                             for s in ("synthetic", "hard")}
    for part, scale in (("conv", 0.98), ("total", 1.0)):
        for rep in range(3):
            doc["benchmarks"].append({"name": f"qnn/fxp/{part}", "run_name": f"qnn/fxp/{part}",
                                      "run_type": "iteration", "real_time": 12.0 * scale + rep * 0.1,
                                      "time_unit": "us"})
    path.write_text(json.dumps(doc))
    text = qnn_table.render(path, qnn_table.REFERENCE, fxp=str(qnn_table.FXP_REPORT))
    row = [c.strip() for c in [line for line in text.splitlines() if line.startswith("| QNN-FXP |")][0].strip("|").split("|")]
    assert row[1] == f"{report['accuracy_pct']['synthetic']['fxp']:.2f}" and row[2] == "-"
    assert row[7] == "0.0121" and row[9] == "0.40"  # 12.1 us; / float 30.1
    assert qnn_table.NOT_MEASURED not in text
    assert "| QNN-FXP vs | conv | total |" in text and "| QNN-8 | 0.75 | 0.75 |" in text  # 12.1 / 16.1
    assert "accuracy and time from `qbench qnn`" in text and "(equal)" in text
    doc["context"]["qbench"]["qnn"]["accuracy_pct"]["fxp"]["hard"] += 0.5
    path.write_text(json.dumps(doc))
    assert "DIFFERENT" in qnn_table.render(path, qnn_table.REFERENCE, fxp=str(qnn_table.FXP_REPORT))

"""`lowbit report RUN_DIR`: one self-contained report of a whole run, parsed back with html.parser.

On the three claims fixture run directories: every section present and in order, every claim of the
catalogue in the scoreboard, nothing outside the file, a missing part said to be missing (never a
crash), and each experiment's own figures where the run has them.
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser

import pytest

import claims_fixtures
from helpers import run_main
from lowbit import plots
from lowbit.claims.catalogue import load_catalogue
from lowbit.qnn import table as qnn_table
from lowbit.report_html import markdown_table

SECTIONS = ["scoreboard", "matrix", "roofline", "qnn", "four-six", "fxp", "distortion", "icount", "provenance"]
ABSENT = "Not in this run:"


class ReportParser(HTMLParser):
    """The sections (in order) with their text, images and table cells; claim rows; every src/href."""

    def __init__(self):
        super().__init__()
        self.order, self.text, self.images, self.cells = [], {}, {}, {}
        self.claim_rows, self.links, self.tags = [], [], set()
        self.section = None
        self.in_cell = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        self.links += [attrs[key] for key in ("src", "href") if key in attrs]
        if tag == "section":
            self.section = attrs["id"]
            self.order.append(self.section)
            self.text[self.section], self.images[self.section], self.cells[self.section] = "", [], []
        elif tag == "img" and self.section:
            self.images[self.section].append(attrs.get("alt"))
        elif tag == "tr" and attrs.get("id", "").startswith("claim-"):
            self.claim_rows.append(attrs["id"][len("claim-"):])
        elif tag in ("td", "th") and self.section:
            self.in_cell = True
            self.cells[self.section].append("")

    def handle_endtag(self, tag):
        if tag == "section":
            self.section = None
        elif tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        if self.section:
            self.text[self.section] += data
            if self.in_cell:
                self.cells[self.section][-1] += data


def report_of(run_dir, out) -> ReportParser:
    done = run_main("report", run_dir, "--out", out)
    assert done.returncode == 0, done.stderr
    parser = ReportParser()
    parser.feed(out.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return {name: report_of(claims_fixtures.ROOT / name, out / f"{name}.html") for name in claims_fixtures.SCENARIOS}


@pytest.mark.parametrize("scenario", list(claims_fixtures.SCENARIOS))
def test_every_section_in_order_and_every_claim(reports, scenario):
    report = reports[scenario]
    assert report.order == SECTIONS
    assert sorted(report.claim_rows) == sorted(claim["id"] for claim in load_catalogue().claims)


@pytest.mark.parametrize("scenario", list(claims_fixtures.SCENARIOS))
def test_self_contained_without_scripts(reports, scenario):
    report = reports[scenario]
    assert not report.tags & {"script", "link", "iframe", "object"}
    assert all(link.startswith(("data:image/png;base64,", "#")) for link in report.links)
    assert {f"#{s}" for s in SECTIONS} <= set(report.links)


def test_missing_parts_are_said_missing_with_the_reason(reports):
    missing = reports["missing"]
    for section in ("matrix", "roofline", "distortion", "icount"):
        assert ABSENT in missing.text[section], section
    assert "paper-table.json" in missing.text["matrix"] and "not valid JSON" in missing.text["matrix"]
    assert "distortion.json is not in the run directory" in missing.text["distortion"]
    assert ABSENT not in missing.text["fxp"] and "n/a" in missing.cells["fxp"]
    assert "context.qbench.peak" in reports["misses"].text["roofline"]


def test_complete_run_has_every_experiment(reports):
    full = reports["reproduces"]
    for section in ("matrix", "roofline", "qnn", "four-six", "fxp", "distortion", "icount"):
        assert ABSENT not in full.text[section], section
    assert len(full.images["matrix"]) == 2 and len(full.images["icount"]) == 2
    assert {"mla_f32_q", "mlal_u8", "float32", "uint4"} <= set(full.cells["roofline"])
    assert "98.10 ± 0.10" in full.cells["distortion"] and "-0.850 ± 0.100" in full.cells["distortion"]
    assert "icount-aarch64.json is not in the run directory" not in full.text["four-six"]
    assert "uint4 vs uint4_6" in full.cells["four-six"] and "QNN-4.6 vs" in full.cells["four-six"]


def test_qnn_section_is_the_qnn_table(reports):
    """Every cell `lowbit qnn-table` prints is in the QNN section."""
    text = qnn_table.render(claims_fixtures.ROOT / "reproduces" / "qnn.json", qnn_table.REFERENCE)
    table = markdown_table([line for line in text.splitlines() if line.startswith("|")][:7])
    expected = set(table.header) | {c for row in table.rows for c in row}
    assert "QNN-4" in expected and expected <= set(reports["reproduces"].cells["qnn"])


def test_experiment_pngs_and_tables_of_the_run_dir_are_embedded(tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(claims_fixtures.ROOT / "reproduces", run_dir)
    fig = plots.plt.figure(figsize=(1, 1))
    png = plots.png_bytes(fig)
    for name in ("distortion-accuracy.png", "fxp-bitwidths.png", "other.png"):
        (run_dir / name).write_bytes(png)
    (run_dir / "fxp-table.md").write_text("# title\n\n| network | saving |\n|---|---|\n| sequential | 52.6 |\n")
    report = report_of(run_dir, run_dir / "report.html")
    assert report.images["distortion"] == ["distortion-accuracy"]
    assert report.images["fxp"] == ["fxp-bitwidths"]
    assert {"sequential", "52.6"} <= set(report.cells["fxp"])
    assert "report.html" not in report.cells["provenance"] and "other.png" in report.cells["provenance"]


def test_fxp_rows_show_per_layer_bits_and_the_papers_rows(tmp_path):
    layer = {"name": "conv1", "weights": {"bw": 6, "f": 5}, "biases": {"bw": 8, "f": 6},
             "activations": {"bw": 7, "f": 3}}
    document = {"rows": [{"network": "sequential", "dataset": "fashion-mnist", "protocol": "test",
                          "source": "this run", "float_acc_pct": 92.47, "layers": [layer]}],
                "paper_rows": [{"network": "branched", "dataset": "svhn", "source": "paper",
                                "note": "data set not available here"}]}
    (tmp_path / "fxp.json").write_text(json.dumps(document))
    report = report_of(tmp_path, tmp_path / "report.html")
    cells = report.cells["fxp"]
    assert {"conv1 w 6/5 b 8/6 a 7/3", "92.47", "this run", "paper", "data set not available here"} <= set(cells)
    assert ABSENT in report.text["matrix"] and ABSENT in report.text["qnn"]

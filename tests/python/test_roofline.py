"""lowbit.roofline: share of peak on a hand-computable fixture; files without peak still work."""

import csv
import io
import json

import pytest

from helpers import FIXTURES, load_json, run_main
from lowbit import roofline
from lowbit import results as qr

SHAPE = qr.Shape(8, 100, 10)  # 8,000 multiply-adds; float32 takes 8 us, uint8 8 us, uint4 4 us


def peak_record(rates):
    return {"repetitions": 1, "seconds_per_repetition": 0.01, "statistic": "median", "clock": None,
            "instructions": {key: {"isa": "test", "instruction": key, "multiply_adds_per_instruction": 1,
                                   "multiply_adds_per_second": rate} for key, rate in rates.items()}}


@pytest.fixture
def with_peak(tmp_path):
    doc = load_json(FIXTURES / "geomean-hand.json")
    qbench = doc["context"]["qbench"]
    qbench["kernels"]["uint4"]["implementation"] = "u4_gemm_4x16c8__avx2"
    qbench["kernels"]["uint8"]["implementation"] = "u8_gemm_8x32c4__avx512vnni"
    qbench["peak"] = peak_record({"fma_f32_ymm": 0.5e9, "fma_f32_zmm": 1e9, "maddubs_u8s8_ymm": 4e9,
                                  "maddubs_u8s8_zmm": 6e9, "dpbusd_u8s8_zmm": 8e9})
    path = tmp_path / "with-peak.json"
    path.write_text(json.dumps(doc))
    return path


def test_share_is_rate_over_the_matching_peak(with_peak):
    results = qr.load_results(with_peak)
    # float32: 8,000 / 8 us = 1e9 per s against the widest FMA (zmm, 1e9).
    assert roofline.share_of_peak(results, "gemm", "float32", SHAPE) == pytest.approx(1.0)
    # uint4 ran the avx2 path: 8,000 / 4 us = 2e9 against vpmaddubsw ymm (4e9), not zmm.
    assert roofline.matching_peak(results, "uint4") == "maddubs_u8s8_ymm"
    assert roofline.share_of_peak(results, "gemm", "uint4", SHAPE) == pytest.approx(0.5)
    # uint8 ran the VNNI path: 1e9 against vpdpbusd (8e9).
    assert roofline.share_of_peak(results, "gemm", "uint8", SHAPE) == pytest.approx(0.125)
    assert roofline.share_of_peak(results, "gemm", "int32", SHAPE) is None


def test_per_path_id_uses_its_own_isa(with_peak):
    results = qr.load_results(with_peak)
    assert roofline.matching_peak(results, "uint4@avx512bw") == "maddubs_u8s8_zmm"
    assert roofline.matching_peak(results, "uint4@scalar") is None


def test_tables_write_the_roofline(with_peak, tmp_path):
    done = run_main("tables", with_peak, "--out-dir", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "roofline.md").read_text()
    header = next(l for l in text.splitlines() if l.startswith("| H |"))
    row = next(l for l in text.splitlines() if l.startswith("| 8 | 100 | 10 |"))
    cells = dict(zip([c.strip() for c in header.strip("|").split("|")],
                     [c.strip() for c in row.strip("|").split("|")]))
    assert (cells["float32"], cells["uint4"], cells["uint8"]) == ("100%", "50%", "12%")
    assert "Share of peak (roofline)" in (tmp_path / "out" / "table.md").read_text()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "roofline.csv").read_text())))
    uint4 = next(r for r in rows if r["kernel"] == "uint4" and r["depth"] == "10")
    # GOPS count 2 per multiply-add: 2e9 multiply-adds per s = 4 GOPS against 2 x 4e9.
    assert (uint4["gops"], uint4["peak_instruction"], uint4["peak_gops"], uint4["share_of_peak"]) == \
        ("4.000", "maddubs_u8s8_ymm", "8.000", "0.5000")


def test_files_without_peak_have_no_roofline(tmp_path):
    results = qr.load_results(FIXTURES / "geomean-hand.json")
    assert roofline.peak_rates(results) == {}
    assert roofline.share_of_peak(results, "gemm", "float32", SHAPE) is None
    done = run_main("tables", FIXTURES / "geomean-hand.json", "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "roofline.md").exists()
    assert "roofline" not in (tmp_path / "table.md").read_text()

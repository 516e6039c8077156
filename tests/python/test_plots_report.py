"""`lowbit plots` writes PNG and SVG; `lowbit report` writes one self-contained HTML file."""

import re
import xml.etree.ElementTree as ET

from helpers import FIXTURES, run_cli

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_plots_write_png_and_svg(tmp_path):
    done = run_cli("plots", FIXTURES / "laptop-x86.json", "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    for stem in ("speedup_vs_float32", "gops_vs_depth"):
        assert (tmp_path / f"{stem}.png").read_bytes().startswith(PNG_SIGNATURE)
        root = ET.parse(tmp_path / f"{stem}.svg").getroot()
        assert root.tag.endswith("svg")
        svg = (tmp_path / f"{stem}.svg").read_text()
        assert "i7-1165G7" in svg  # the title names the machine


def test_svg_output_is_deterministic(tmp_path):
    for out in ("a", "b"):
        run_cli("plots", FIXTURES / "odroid-armv7.json", "--out-dir", tmp_path / out)
    assert (tmp_path / "a" / "gops_vs_depth.svg").read_bytes() == (tmp_path / "b" / "gops_vs_depth.svg").read_bytes()


def test_plots_of_several_files_and_odd_inputs(tmp_path):
    done = run_cli("plots", FIXTURES / "instructions-x86.json", FIXTURES / "missing-kernel.json",
                      "--out-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "instructions-x86_gops_vs_depth.svg" in names
    assert "missing-kernel_speedup_vs_float32.png" in names


def test_plots_bad_input_exits_2(tmp_path):
    done = run_cli("plots", FIXTURES / "truncated.json", "--out-dir", tmp_path)
    assert done.returncode == 2 and "truncated.json" in done.stderr


def test_report_is_self_contained(tmp_path):
    out = tmp_path / "report.html"
    done = run_cli("report", FIXTURES / "odroid-armv7.json", FIXTURES / "laptop-x86.json",
                      "--out", out)
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html and "https://" not in html
    sources = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert html.count("<img") == 4  # two plots per file
    assert "Comparison of files" in html and "Provenance" in html
    assert "Cortex-A15" in html and "GNU 12.2.0" in html


def test_report_bad_input_exits_2(tmp_path):
    done = run_cli("report", FIXTURES / "truncated.json", "--out", tmp_path / "r.html")
    assert done.returncode == 2 and "truncated.json" in done.stderr

"""lowbit tables: the paper's layout, geomeans, determinism, several files, missing kernels."""

import csv
import io

import pytest

from helpers import FIXTURES, run_cli, run_main
from lowbit import results as qr
from lowbit import speedups
from lowbit.reference import load_reference


def markdown_rows(text: str, title_start: str):
    """Rows (lists of cells) of the first Markdown table whose title starts with title_start."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("### " + title_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    header, body = rows[0], rows[2:]
    return header, body


def test_markdown_is_byte_identical_across_runs():
    first = run_cli("tables", FIXTURES / "laptop-x86.json", FIXTURES / "odroid-armv7.json")
    second = run_cli("tables", FIXTURES / "laptop-x86.json", FIXTURES / "odroid-armv7.json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_out_dir_writes_md_csv_tex_deterministically(tmp_path):
    for out in ("a", "b"):
        done = run_main("tables", FIXTURES / "laptop-x86.json", "--out-dir", tmp_path / out)
        assert done.returncode == 0, done.stderr
    for name in ("table.md", "table.csv", "table.tex"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    tex = (tmp_path / "a" / "table.tex").read_text()
    assert r"\begin{tabular}" in tex and r"uint8\_gemmlowp" in tex


def test_geomean_row_on_a_hand_computable_fixture():
    text = run_main("tables", FIXTURES / "geomean-hand.json").stdout
    header, body = markdown_rows(text, "Speedup over float32")
    geomean = dict(zip(header, body[-1]))
    assert body[-1][0] == "geomean"
    # float32 8 and 32 us, uint4 4 and 4 us: speedups 2 and 8, geomean 4.
    assert geomean["uint4"] == "4.00"
    # uint8 8 and 8 us: speedups 1 and 4, geomean 2.
    assert geomean["uint8"] == "2.00"
    assert geomean["int32"] == "-"
    header, body = markdown_rows(text, "Time per product")
    assert dict(zip(header, body[-1]))["float32"] == "16.0"  # sqrt(8 * 32)
    header, body = markdown_rows(text, "Speedup of uint4 over 8-bit")
    assert dict(zip(header, body[-1]))["uint4 vs uint8"] == "2.00"


def test_float32_is_the_faster_eigen_layout_per_shape():
    results = qr.load_results(FIXTURES / "odroid-armv7.json")
    measured = speedups.Measured(results, "gemm")
    for shape in results.shapes():
        col = results.median("gemm", "float32", shape)
        row = results.median("gemm", "float32_rowmajor", shape)
        assert measured.kernel("float32", shape) == min(col, row)


def test_paper_ratios_and_ratio_of_ratios():
    results = qr.load_results(FIXTURES / "geomean-hand.json")
    reference = load_reference()
    shape = qr.Shape(8, 100, 10)
    pair = speedups.SPEEDUPS_VS_FLOAT[2]  # uint4 vs float32
    assert speedups.paper_speedup(reference, pair, shape) == pytest.approx(8.3 / 3.9)
    assert speedups.Measured(results, "gemm").speedup(pair, shape) == pytest.approx(2.0)


def test_missing_kernels_print_a_dash_not_an_error():
    done = run_main("tables", FIXTURES / "missing-kernel.json")
    assert done.returncode == 0, done.stderr
    header, body = markdown_rows(done.stdout, "Time per product")
    columns = dict(zip(header, zip(*body)))
    assert set(columns["int32"]) == {"-"}
    assert set(columns["uint8_gemmlowp"]) == {"-"}
    assert "8.30" in columns["int32 paper"]
    last_shape = dict(zip(header, body[-2]))
    assert last_shape["uint4"] == "-"          # the errored cell
    assert dict(zip(header, body[-1]))["uint4"].endswith("[17]")
    assert "QNN results; they are not rendered" in done.stdout
    assert "errors: gemm/uint4/24/1600/100" in done.stdout


def test_two_files_in_one_comparison():
    done = run_main("tables", FIXTURES / "odroid-armv7.json", FIXTURES / "laptop-x86.json")
    text = done.stdout
    assert text.count("\n## ") == 3  # two sections and the comparison
    header, body = markdown_rows(text, "Comparison of files")
    assert header[:2] == ["speedup (geomean)", "paper"]
    assert "odroid-armv7" in header[2] and header[3] == "(1) m/p" and "laptop-x86" in header[4]
    rows = {r[0]: r for r in body}
    assert rows["uint4 vs float32"][1] == "2.66"  # the paper's own geomean
    assert rows["onednn_s8 vs float32"][2] == "-"  # not measured on the ARM board
    assert rows["onednn_s8 vs float32"][5] == "-"  # the paper has no oneDNN column
    assert 0.9 < float(rows["uint4 vs float32"][3]) < 1.1  # the ARM fixture is built from the paper


def test_instruction_counts_are_labelled_modelled():
    text = run_main("tables", FIXTURES / "instructions-x86.json").stdout
    assert "Instructions per product" in text and "Modelled: instruction counts on x86_64" in text


def test_prepacked_family_gets_its_own_section(make_results):
    path = make_results("prepacked.json", kernels=("float32", "uint8", "uint4"), family="gemm_prepacked",
                        weights_mode="prepacked")
    text = run_main("tables", path).stdout
    assert "weights prepacked" in text


def test_csv_is_one_machine_readable_table():
    done = run_main("tables", FIXTURES / "laptop-x86.json", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 19 and rows[-1]["height"] == "geomean"
    first = rows[0]
    assert first["uint4_n"] == "9" and first["paper_uint4_us"] == "3.9000"
    assert float(first["speedup_uint4_vs_float32"]) > 1


def test_bad_input_exits_2_with_the_file_named():
    done = run_cli("tables", FIXTURES / "truncated.json")
    assert done.returncode == 2 and "truncated.json" in done.stderr
    done = run_main("tables", FIXTURES / "laptop-x86.json", "--format", "all")
    assert done.returncode == 2 and "--out-dir" in done.stderr


def test_four_six_bit_table_only_when_measured_and_its_ratios(make_results):
    shapes = [(8, 100, 10), (24, 400, 40)]
    fixed = {("float32", shapes[0]): 20.0, ("float32", shapes[1]): 40.0,
             ("uint8", shapes[0]): 9.0, ("uint8", shapes[1]): 3 * 4.84,
             ("uint4", shapes[0]): 3.0, ("uint4", shapes[1]): 4.0,
             ("uint4_6", shapes[0]): 3.0, ("uint4_6", shapes[1]): 4.0 * 1.21}
    without = make_results("no46.json", kernels=("float32", "uint8", "uint4"), shapes=shapes,
                           fixed_times={k: v for k, v in fixed.items() if k[0] != "uint4_6"})
    assert "4.6-bit" not in run_main("tables", without).stdout

    def add_levels(doc):
        doc["context"]["qbench"]["kernels"]["uint4_6"]["levels"] = {"activations": 63, "weights": 9}

    path = make_results("with46.json", edit=add_levels, kernels=("float32", "uint8", "uint4", "uint4_6"),
                        shapes=shapes, fixed_times=fixed)
    text = run_main("tables", path).stdout
    header, body = markdown_rows(text, "The 4.6-bit scheme")
    geomean = dict(zip(header, body[-1]))
    assert geomean["uint4_6 vs uint8"] == "3.00"    # 9/3 and 14.52/4.84
    assert geomean["uint4 vs uint4_6"] == "1.10"    # 3/3 and 4.84/4: sqrt(1 * 1.21)
    assert "(N_x, N_w) = (63, 9)" in text
    comparison = run_main("tables", path, path).stdout
    header, body = markdown_rows(comparison, "Comparison of files")
    rows = {r[0]: r for r in body}
    assert rows["uint4 vs uint4_6"][1] == "1.04 (2024)"

"""The loader: validation, clear errors, medians from repetitions, provenance."""

import json

import pytest

import fixture_builder
from helpers import FIXTURES, run_cli
from lowbit import results as qr
from lowbit.provenance import provenance
from lowbit.reference import load_reference


def test_committed_fixtures_match_the_builder():
    for name, doc in fixture_builder.committed_fixtures().items():
        assert (FIXTURES / name).read_text() == fixture_builder.render(doc), name
    assert (FIXTURES / "truncated.json").read_text() == fixture_builder.truncated_text()


def test_loads_every_cell_with_nine_repetitions():
    results = qr.load_results(FIXTURES / "laptop-x86.json")
    assert results.measure == "time"
    assert results.families() == ["gemm"]
    assert results.kernels() == list(qr.KERNEL_ORDER)
    assert len(results.shapes()) == 18
    assert all(len(cell) == 9 for cell in results.cells.values())
    assert results.errors == [] and results.ignored == []


def test_time_units_are_normalised_to_microseconds():
    results = qr.load_results(FIXTURES / "geomean-hand.json")  # written in ns
    assert results.median("gemm", "float32", qr.Shape(8, 100, 10)) == pytest.approx(8.0)
    assert results.median("gemm", "uint4", qr.Shape(24, 400, 40)) == pytest.approx(4.0)


@pytest.mark.parametrize("unit,scale", [("ns", 1e3), ("ms", 1e-3), ("s", 1e-6)])
def test_every_time_unit(make_results, unit, scale):
    path = make_results("unit.json", kernels=("float32",), shapes=((8, 100, 10),), time_unit=unit,
                        fixed_times={("float32", (8, 100, 10)): 5.0})
    assert qr.load_results(path).median("gemm", "float32", qr.Shape(8, 100, 10)) == pytest.approx(5.0)


def test_aggregates_are_ignored_and_medians_recomputed(make_results):
    def poison_aggregates(doc):
        for entry in doc["benchmarks"]:
            if entry["run_type"] == "aggregate":
                entry["real_time"] = 1e9
    path = make_results("agg.json", kernels=("uint4",), shapes=((8, 100, 10),), edit=poison_aggregates,
                        fixed_times={("uint4", (8, 100, 10)): 3.0})
    assert qr.load_results(path).median("gemm", "uint4", qr.Shape(8, 100, 10)) == pytest.approx(3.0)


def test_errored_entries_are_dropped_and_listed():
    results = qr.load_results(FIXTURES / "missing-kernel.json")
    assert [name for name, _ in results.errors] == ["gemm/uint4/24/1600/100"]
    assert results.cell("gemm", "uint4", qr.Shape(24, 1600, 100)) is None
    assert results.partial and results.has_qnn


def test_google_benchmark_name_suffixes_and_foreign_names(make_results):
    def rename(doc):
        for entry in doc["benchmarks"]:
            entry["name"] = entry["run_name"] = entry["run_name"] + "/repeats:9/real_time"
        doc["benchmarks"].append({"name": "qnn/mrz/float32", "run_type": "iteration",
                                  "real_time": 1.0, "time_unit": "ms"})
    path = make_results("names.json", kernels=("uint4",), shapes=((8, 100, 10),), edit=rename)
    results = qr.load_results(path)
    assert list(results.kernels()) == ["uint4"]
    assert results.ignored == ["qnn/mrz/float32"]


def test_instruction_counts_are_the_metric():
    results = qr.load_results(FIXTURES / "instructions-x86.json")
    assert results.is_instructions and results.unit == "instr"
    shape = qr.Shape(8, 100, 10)
    assert results.median("gemm", "uint4", shape) == fixture_builder.base_instructions("uint4", (8, 100, 10))


def test_provenance_names_machine_compiler_commit_and_timing():
    facts = provenance(qr.load_results(FIXTURES / "laptop-x86.json"))
    assert "i7-1165G7" in facts["machine"] and "x86_64" in facts["machine"]
    assert "GNU 12.2.0" in facts["compiler"] and "-O3" in facts["compiler"]
    assert facts["commit"].startswith("0123456789abcdef")
    assert facts["weights"] == "per_call" and "packs" in facts["timed"]


def test_reference_table_has_the_papers_18_shapes():
    reference = load_reference()
    assert len(reference) == 18
    assert reference[qr.Shape(8, 100, 10)] == {"float32": 8.3, "int32": 8.3, "uint8": 4.6, "uint4": 3.9}


# --- errors ------------------------------------------------------------------------------------

def error_for(write_text, text: str) -> str:
    path = write_text("bad.json", text)
    with pytest.raises(qr.ResultsError) as info:
        qr.load_results(path)
    assert str(info.value).startswith(str(path))
    return str(info.value)


def test_truncated_json_is_named_as_such():
    with pytest.raises(qr.ResultsError) as info:
        qr.load_results(FIXTURES / "truncated.json")
    message = str(info.value)
    assert "truncated.json" in message and "not valid JSON" in message and "truncated" in message


def test_missing_file_and_empty_file(write_text, tmp_path):
    with pytest.raises(qr.ResultsError, match="file not found"):
        qr.load_results(tmp_path / "nope.json")
    assert "empty" in error_for(write_text, "")


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d.pop("context"), "missing field 'context'"),
    (lambda d: d["context"].pop("qbench"), "missing field 'context.qbench'"),
    (lambda d: d["context"]["qbench"].pop("measure"), "missing field 'context.qbench.measure'"),
    (lambda d: d["context"]["qbench"].update(schema_version=99), "unsupported context.qbench.schema_version"),
    (lambda d: d["context"]["qbench"].update(measure="cycles"), "expected 'time' or 'instructions'"),
    (lambda d: d.update(benchmarks={}), "field 'benchmarks' should be list"),
    (lambda d: d["benchmarks"][0].pop("real_time"), "missing field 'benchmarks[0] (gemm/uint4/8/100/10).real_time'"),
    (lambda d: d["benchmarks"][0].update(time_unit="fortnight"), "time_unit' is 'fortnight'"),
    (lambda d: d["benchmarks"][0].update(real_time=-1.0), "non-positive"),
    (lambda d: d.update(benchmarks=[]), "no gemm benchmark entries"),
])
def test_malformed_documents_give_a_clear_message(write_text, mutate, expected):
    doc = fixture_builder.build_results(kernels=("uint4",), shapes=((8, 100, 10),))
    mutate(doc)
    assert expected in error_for(write_text, json.dumps(doc))


def test_not_an_object(write_text):
    assert "top level should be a JSON object" in error_for(write_text, "[1, 2]")


def test_cli_exit_status_2_on_bad_input():
    done = run_cli("summary", FIXTURES / "truncated.json")
    assert done.returncode == 2
    assert "truncated.json" in done.stderr and "not valid JSON" in done.stderr
    done = run_cli("summary", FIXTURES / "laptop-x86.json")
    assert done.returncode == 0 and "18 shapes" in done.stdout

"""The committed catalogue evaluated on the three fixture run directories of tests/fixtures/claims/.

Expected verdicts are worked out by hand from the numbers in claims_fixtures.py and the tolerances
of results/reference/claims.json.
"""

import json

import pytest

import claims_fixtures
from lowbit.claims import cli, evaluate
from lowbit.claims.catalogue import load_catalogue
from lowbit.claims.verdicts import NOT_MEASURABLE, NOT_REPRODUCED, PARTLY, REPRODUCED

FIXTURES = claims_fixtures.ROOT

EXPECTED = {
    "reproduces": {
        "t20-gemm-4bit-vs-float": REPRODUCED, "t20-gemm-4bit-vs-8bit": REPRODUCED,
        "t20-qnn4-accuracy": PARTLY, "t20-qnn8-accuracy": PARTLY,  # stand-in data caps them
        "t20-qnn4-time": REPRODUCED, "t20-qnn8-time": REPRODUCED, "t20-qnn4-vs-qnn8-time": REPRODUCED,
        "t24-gemm-vs-4bit": REPRODUCED, "t24-gemm-vs-8bit": REPRODUCED, "t24-accuracy-between": PARTLY,
        "g21-seq-fmnist-drop": REPRODUCED, "g21-seq-fmnist-memory": REPRODUCED, "g21-seq-fmnist-mult": REPRODUCED,
        "g21-branched-fmnist-drop": REPRODUCED, "g21-branched-fmnist-savings": REPRODUCED,
        "g21-other-datasets": NOT_MEASURABLE,
        "j19-no-quality-loss": REPRODUCED, "j19-error-free-zone": REPRODUCED, "j19-response-dependence": REPRODUCED,
    },
    "misses": {
        "t20-gemm-4bit-vs-float": PARTLY,          # held, but timed on x86-64
        "t20-gemm-4bit-vs-8bit": NOT_REPRODUCED,   # x86 timing and ARMv7 model both miss
        "t20-qnn4-accuracy": NOT_REPRODUCED, "t20-qnn8-accuracy": PARTLY,
        "t20-qnn4-time": NOT_REPRODUCED, "t20-qnn8-time": NOT_REPRODUCED, "t20-qnn4-vs-qnn8-time": NOT_REPRODUCED,
        "t24-gemm-vs-4bit": PARTLY,
        "t24-gemm-vs-8bit": PARTLY,                # x86 timing misses, the AArch64 model holds
        "t24-accuracy-between": PARTLY,            # one of its two checks holds
        "g21-seq-fmnist-drop": NOT_REPRODUCED, "g21-seq-fmnist-memory": NOT_REPRODUCED,
        "g21-seq-fmnist-mult": NOT_REPRODUCED, "g21-branched-fmnist-drop": REPRODUCED,
        "g21-branched-fmnist-savings": NOT_REPRODUCED, "g21-other-datasets": NOT_MEASURABLE,
        "j19-no-quality-loss": NOT_REPRODUCED, "j19-error-free-zone": PARTLY, "j19-response-dependence": PARTLY,
    },
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def verdicts(document):
    return {row["id"]: row["verdict"] for row in document["claims"]}


def row(document, claim_id):
    return next(r for r in document["claims"] if r["id"] == claim_id)


def test_committed_fixtures_are_what_the_builder_writes():
    for name, build in claims_fixtures.SCENARIOS.items():
        files = build()
        assert sorted(p.name for p in (FIXTURES / name).iterdir()) == sorted(files)
        for file_name, content in files.items():
            assert (FIXTURES / name / file_name).read_text(encoding="utf-8") == claims_fixtures.render(content)


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_verdicts(catalogue, scenario):
    assert verdicts(evaluate.evaluate(catalogue, FIXTURES / scenario)) == EXPECTED[scenario]


def test_missing_data_is_not_measurable_never_a_crash(catalogue):
    document = evaluate.evaluate(catalogue, FIXTURES / "missing")
    assert set(verdicts(document).values()) == {NOT_MEASURABLE}
    reasons = {r["id"]: r["reason"] for r in document["claims"]}
    assert "not valid JSON" in reasons["t20-gemm-4bit-vs-float"]
    assert "no timings of qnn/q4/total" in reasons["t20-qnn4-time"]
    assert "no number in field 'relative_drop_pct'" in reasons["g21-seq-fmnist-drop"]
    assert "no row network=branched" in reasons["g21-branched-fmnist-drop"]
    assert "distortion.json is not in the run directory" in reasons["j19-error-free-zone"]
    assert all(r["measured_value"] is None for r in document["claims"])


def test_gemm_evidence_uses_medians_of_repetitions_and_the_faster_float_layout(catalogue):
    claim = row(evaluate.evaluate(catalogue, FIXTURES / "reproduces"), "t20-gemm-4bit-vs-float")
    # 0.0030 us per multiply-add (row-major, the faster layout) over 0.0010: aggregates ignored.
    assert claim["measured_value"] == pytest.approx(3.0, rel=1e-9)
    check = claim["evidence"]["checks"][0]
    assert check["passed"] is True and check["tolerance"] == ">= 2.26"
    assert [s["shape"] for s in check["per_shape"]] == ["8x100x10", "24x1600x100"]
    assert check["per_shape"][0]["slow"]["cell"] == "gemm/float32_rowmajor/8/100/10"
    assert check["per_shape"][0]["fast"]["cell"] == "gemm/uint4/8/100/10"
    assert "2 of 18 shapes" in check["statistic"]
    model = claim["evidence"]["model"][0]
    assert model["measured_value"] == pytest.approx(3.0) and model["metric"] == "median instructions per product"


def test_row_evidence_names_rows_fields_and_grid_points(catalogue):
    claim = row(evaluate.evaluate(catalogue, FIXTURES / "reproduces"), "j19-no-quality-loss")
    at_sigma_0 = claim["evidence"]["checks"][1]
    assert at_sigma_0["measured_value"] == pytest.approx(0.1)
    assert at_sigma_0["cells"][0] == {"row": {"training": "distortion", "inference": "float"},
                                      "field": "accuracy_by_sigma_pct", "value": 99.1,
                                      "at": {"grid": "sigma_grid", "value": 0.0}, "std": 0.1}
    rho = row(evaluate.evaluate(catalogue, FIXTURES / "misses"), "j19-response-dependence")
    assert rho["evidence"]["checks"][1]["measured_value"] == pytest.approx(0.05)  # |-0.75| - |-0.70|


def test_cli_writes_claims_json_and_ends_with_the_scoreboard(tmp_path, capsys):
    out = tmp_path / "claims.json"
    assert cli.main([str(FIXTURES / "misses"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["claims"]) >= 12
    for claim in document["claims"]:
        assert {"id", "paper", "claim", "paper_value", "measured_value", "verdict", "reason", "evidence"} <= set(claim)
        assert any(line.startswith(claim["id"] + " ") for line in printed)
    assert printed[-1].startswith(f"{len(document['claims'])} claims: 1 reproduced, 7 partly, 10 not reproduced, "
                                  "1 not measurable.")


def test_cli_refuses_what_is_not_a_run_directory(tmp_path, capsys):
    assert cli.main([str(tmp_path / "absent")]) == cli.EXIT_BAD_INPUT
    bad = tmp_path / "catalogue.json"
    bad.write_text('{"papers": {}, "claims": [{"id": "x"}]}', encoding="utf-8")
    assert cli.main([str(FIXTURES / "misses"), "--catalogue", str(bad), "--out", str(tmp_path / "c.json")]) == 2
    assert "missing" in capsys.readouterr().err

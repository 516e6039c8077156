"""The committed catalogue, results/reference/claims.json: complete, consistent with the papers' tables."""

import csv
import json
import math

import pytest

from lowbit.claims.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue
from lowbit.claims.measures import reference_shapes

REFERENCE = DEFAULT_CATALOGUE.parent
TIMING_SLACK = 0.15  # the catalogue's "timing" tolerance


def paper_rows(name):
    with open(REFERENCE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def claims_by_id():
    return {claim["id"]: claim for claim in load_catalogue().claims}


def test_the_catalogue_covers_every_paper_and_the_required_claims():
    catalogue = load_catalogue()
    assert len(catalogue.claims) >= 12
    assert {claim["paper"] for claim in catalogue.claims} == set(catalogue.papers)
    ids = set(claims_by_id())
    for required in ("t20-gemm-4bit-vs-float", "t20-gemm-4bit-vs-8bit", "t20-qnn4-accuracy", "t20-qnn8-accuracy",
                     "t20-qnn4-time", "t20-qnn8-time", "t24-gemm-vs-4bit", "t24-gemm-vs-8bit",
                     "t24-accuracy-between", "g21-seq-fmnist-drop", "g21-seq-fmnist-memory", "g21-seq-fmnist-mult",
                     "j19-no-quality-loss", "j19-error-free-zone", "j19-response-dependence"):
        assert required in ids


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


@pytest.mark.parametrize("claim_id, slow", [("t20-gemm-4bit-vs-float", "float32"), ("t20-gemm-4bit-vs-8bit", "uint8")])
def test_matrix_table_figures_are_the_papers_geometric_means(claim_id, slow):
    claim = claims_by_id()[claim_id]
    rows = paper_rows("trusov2020-table.csv")
    expected = geomean([float(r[f"{slow}_us"]) / float(r["uint4_us"]) for r in rows])
    assert claim["paper_value"] == round(expected, 2)
    assert claim["checks"][0]["at_least"] == round((1 - TIMING_SLACK) * expected, 2)
    assert len(reference_shapes(REFERENCE / "trusov2020-table.csv")) == 18


@pytest.mark.parametrize("claim_id, numerator, denominator", [
    ("t20-qnn4-time", "QNN-4", "CNN (float32)"), ("t20-qnn8-time", "QNN-8", "CNN (float32)"),
    ("t20-qnn4-vs-qnn8-time", "QNN-4", "QNN-8")])
def test_qnn_time_ratios_are_the_papers(claim_id, numerator, denominator):
    total = {r["model"]: float(r["total_ms"]) for r in paper_rows("trusov2020-qnn.csv")}
    claim = claims_by_id()[claim_id]
    expected = total[numerator] / total[denominator]
    assert claim["paper_value"] == round(expected, 2)
    assert claim["checks"][0]["at_most"] == round((1 + TIMING_SLACK) * expected, 2)


@pytest.mark.parametrize("claim_id, variant", [("t20-qnn4-accuracy", "QNN-4"), ("t20-qnn8-accuracy", "QNN-8")])
def test_qnn_accuracy_losses_are_the_papers(claim_id, variant):
    rows = {r["model"]: r for r in paper_rows("trusov2020-qnn.csv")}
    hard, synthetic = claims_by_id()[claim_id]["checks"]
    for check, column in ((hard, "accuracy_midv500_pct"), (synthetic, "accuracy_synthetic_pct")):
        loss = float(rows["CNN (float32)"][column]) - float(rows[variant][column])
        assert check["paper_value"] == pytest.approx(loss)
        assert check["at_most"] == pytest.approx(loss + 0.5)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["claims"][0]["checks"][0]["measure"].update(kind="gemm_speed"), "measure kind"),
    (lambda c: c["claims"][0]["checks"][0].pop("at_least"), "at_least"),
    (lambda c: c["claims"][0]["checks"][0]["measure"].pop("fast"), "lacks fast"),
    (lambda c: c["claims"][1].update(id=c["claims"][0]["id"]), "duplicate id"),
    (lambda c: c["claims"][0].update(paper="nobody2099"), "not in 'papers'"),
    (lambda c: c["claims"][0].pop("tolerance"), "missing tolerance"),
])
def test_a_malformed_catalogue_is_refused(tmp_path, edit, message):
    doc = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)

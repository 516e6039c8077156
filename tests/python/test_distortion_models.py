"""The committed models and their C++ fixtures: architecture, records, and the integer reference
reproducing the fixtures bit for bit."""
import glob
import json
import os

import numpy as np
import pytest

from lowbit.distortion import fixtures, heads, lenet, quant

MODELS = "models/distortion"
FIXTURES = sorted(glob.glob(os.path.join(MODELS, "*.lenetfx")))


def test_every_committed_model_is_a_lenet5_with_its_record():
    paths = sorted(glob.glob(os.path.join(MODELS, "*-seed*.lenet")))
    assert len(paths) >= 10
    found = set()
    for path in paths:
        net, ranges = lenet.load(path)
        assert sum(p.numel() for p in net.parameters()) == 61706
        assert sorted(ranges) == [4, 8] and all(r["act_hi"][0] == 1.0 for r in ranges.values())
        with open(path[:-len(".lenet")] + ".json") as f:
            record = json.load(f)
        assert os.path.basename(path) == f"{record['head']}-seed{record['seed']}.lenet"
        found.add((record["head"], record["seed"]))
    assert {("baseline", s) for s in range(5)} <= found
    assert any(all((h, s) in found for s in range(5)) for h in heads.CANDIDATES)


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_integer_reference_reproduces_the_committed_fixtures(path):
    with open(path, "rb") as f:
        fx = fixtures.read_fixtures(f.read(), path)
    net, ranges = lenet.load(path[:-len("fx")])
    assert np.allclose(lenet.logits_of(net, fx["images"]), fx["torch_logits"], rtol=1e-5, atol=1e-5)
    for bits, (logits, sums) in fx["variants"].items():
        model = quant.IntegerLeNet(net, ranges[bits], bits)
        assert np.array_equal(model.last_sums(fx["images"]), sums)
        assert model.forward(fx["images"]).tobytes() == logits.tobytes()


def test_fixtures_exist_for_both_trainings():
    names = [os.path.basename(p) for p in FIXTURES]
    assert "baseline-seed0.lenetfx" in names and len(names) == 2

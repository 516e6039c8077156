"""The evaluator: cached prefixes give the same logits as a full run; early stops are bounds."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lowbit.fxp import models  # noqa: E402
from lowbit.fxp.evaluate import Evaluator  # noqa: E402


@pytest.fixture(scope="module")
def evaluator():
    torch.manual_seed(0)
    model = models.SequentialCNN()
    rng = np.random.default_rng(0)
    images = rng.random((60, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():  # labels = the float network's own answers on half the images
        labels = model.eval()(torch.from_numpy(images)).argmax(1).numpy()
    labels[::2] = (labels[::2] + 1) % 10
    return Evaluator(model, images, labels, batch=20)


def test_float_accuracy(evaluator):
    assert evaluator.float_acc == pytest.approx(0.5)


def test_cached_prefix_matches_full_run(evaluator):
    config = {"weights": {"conv2d_1": (6, 6), "conv2d_5": (4, 5)},
              "activations": {"conv2d_2": (5, 3)}}
    full = evaluator.correct(config)
    for layer in ("conv2d_5", "conv2d_9", "dense"):
        assert evaluator.correct(config, layer) == full
        assert evaluator.cache_key[0] == evaluator.segment_of[layer]
    config["weights"]["conv2d_1"] = (2, 2)  # an earlier layer changed: the prefix is rebuilt
    assert evaluator.correct(config, "dense") == evaluator.correct(config)


def test_branched_prefix_cached_inside_a_block_matches_full_run():
    torch.manual_seed(0)
    model = models.BranchedCNN()
    images = np.random.default_rng(1).random((12, 1, 28, 28), dtype=np.float32)
    evaluator = Evaluator(model, images, np.arange(12) % 10, batch=5)
    config = {"weights": {"conv2d_1": (5, 4), "conv2d_4": (3, 3), "conv2d_12": (4, 4)},
              "activations": {"conv2d_3": (4, 2), "conv2d_9": (3, 1)}}
    evaluator.apply(config)
    full = evaluator.run(0, evaluator.images)
    for layer in ("conv2d_1", "conv2d_5", "conv2d_4", "conv2d_2", "conv2d_10", "conv2d_19", "binary"):
        evaluator.correct(config, layer)
        assert evaluator.cache_key[0] == evaluator.segment_of[layer] > 0
        cached = torch.cat([evaluator.run(evaluator.cache_key[0], part)
                            for part in evaluator.cache])
        assert torch.equal(cached, full)


def test_drop_limit_stops_early_with_a_bound(evaluator):
    config = {"weights": {name: (1, 0) for name, _ in evaluator.model.quant_layers()}}
    exact_drop, exact = evaluator.drop(config)
    assert exact and exact_drop > 0.1
    bound, flag = evaluator.drop(config, limit=0.05)
    assert not flag and 0.05 < bound <= exact_drop
    same, flag = evaluator.drop({}, limit=0.0)
    assert flag and same == 0.0

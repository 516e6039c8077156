"""The training-only layers: the deployed network is an ordinary LeNet-5, and the heads shape the
loss as documented."""
import numpy as np
import pytest
import torch
from torch.nn import functional as F

from lowbit.distortion import data, heads, lenet, train


@pytest.mark.parametrize("head_name", list(heads.HEADS))
def test_deployed_network_is_an_ordinary_lenet5(head_name):
    torch.manual_seed(0)
    model = heads.TrainingModel(head_name)
    deployed = model.deployed()
    plain = lenet.LeNet5()
    assert type(deployed) is lenet.LeNet5
    shapes = {k: tuple(v.shape) for k, v in deployed.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in plain.state_dict().items()}
    assert sum(p.numel() for p in deployed.parameters()) == 61706
    plain.load_state_dict(deployed.state_dict())
    x = torch.rand(5, 1, 32, 32)
    assert torch.equal(deployed(x), plain(x))
    # the loss reads the same logits as the deployed forward pass
    assert torch.equal(deployed.fc3(deployed.features(x)), plain(x))
    head_params = {id(p) for p in model.head.parameters()}
    assert not head_params & {id(p) for p in deployed.parameters()}


def loss_of(head_name, logits, level, labels, features=None):
    features = torch.zeros(len(labels), 84) if features is None else features
    return heads.HEADS[head_name]()(logits, features, level, labels)


def test_logit_scale_and_smoothing_reduce_to_cross_entropy_at_level_zero():
    torch.manual_seed(1)
    logits, labels = torch.randn(6, 10) * 3, torch.arange(6)
    zero = torch.zeros(6)
    ce = F.cross_entropy(logits, labels)
    for name in ("baseline", "logit_scale", "level_smoothing"):
        assert torch.allclose(loss_of(name, logits, zero, labels), ce)


def test_logit_scale_lowers_the_loss_of_a_blurred_correct_answer():
    logits, labels = torch.tensor([[2.0] + [0.0] * 9]), torch.tensor([0])
    clean = loss_of("logit_scale", logits, torch.tensor([0.0]), labels)
    blurred = loss_of("logit_scale", logits, torch.tensor([1.0]), labels)
    expected = F.cross_entropy(logits * (1 + heads.ALPHA), labels)
    assert blurred < clean and torch.allclose(blurred, expected)


def test_level_smoothing_asks_less_confidence_of_blurred_images():
    # the loss-minimising logit margin falls with the level
    labels = torch.tensor([0])
    margins = torch.linspace(0, 12, 241)
    best = []
    for level in (0.2, 1.0):
        losses = [loss_of("level_smoothing", torch.tensor([[m.item()] + [0.0] * 9]),
                          torch.tensor([level]), labels) for m in margins]
        best.append(margins[int(torch.stack(losses).argmin())].item())
    assert best[0] > best[1] > 0


def test_auxiliary_heads_add_a_regression_of_the_level():
    torch.manual_seed(2)
    logits, labels, level = torch.randn(4, 10), torch.arange(4), torch.rand(4)
    ce = F.cross_entropy(logits, labels)
    for name in ("level_head", "response_head"):
        head = heads.HEADS[name]()
        loss = head(logits, torch.rand(4, 84), level, labels)
        assert loss > ce
        assert sum(p.numel() for p in head.parameters()) in (85, 2)


def test_one_batch_training_smoke():
    rng = np.random.Generator(np.random.PCG64(0))
    split = data.Split(rng.integers(0, 256, (train.BATCH, 32, 32)).astype(np.uint8),
                       np.arange(train.BATCH) % 10)
    logs = []
    net = train.train_one("logit_scale", 3, split, epochs=1, log=logs.append)
    assert type(net) is lenet.LeNet5 and len(logs) == 1
    assert net.conv1.weight.grad is not None

"""The training-only layers: each sees the distortion level t = sigma / SIGMA_MAX of every training
image and turns (logits, features, t, labels) into the loss. None of them is part of LeNet5: after
training `TrainingModel.deployed()` returns the bare network (tests/python/test_distortion_heads.py
checks it is an ordinary LeNet5).

The fixed constants were set before any run, from what each layer is meant to do, not tuned:
- `logit_scale`  logits multiplied by 1 + ALPHA t before the softmax of the loss. A blurred image
  reaches the same training loss with raw logits (1 + ALPHA t) times smaller, so the deployed
  network, which lacks the factor, answers blurred inputs with lower responses. ALPHA = 3: at the
  strongest blur the raw logits need only a quarter of the clean-image margin.
- `level_smoothing` the target is (1 - EPS t) one-hot + EPS t / 10: the confidence asked of an image
  falls with its blur (EPS = 0.5: a sigma-3 digit should be answered with ~55%).
- `level_head`   an auxiliary linear head regresses t from the 84 features (weight LAMBDA): the
  features must carry the level, the response is not shaped directly.
- `response_head` an auxiliary affine head regresses t from the response itself (the max logit): the
  response must be an (affine) function of the level.
"""
from torch import nn
from torch.nn import functional as F

from .lenet import LeNet5

ALPHA = 3.0
EPS = 0.5
LAMBDA = 1.0


class CrossEntropy(nn.Module):
    """The baseline: ordinary cross-entropy; the level is ignored."""

    def forward(self, logits, features, level, labels):
        return F.cross_entropy(logits, labels)


class LogitScale(nn.Module):
    def forward(self, logits, features, level, labels):
        return F.cross_entropy(logits * (1.0 + ALPHA * level)[:, None], labels)


class LevelSmoothing(nn.Module):
    def forward(self, logits, features, level, labels):
        eps = (EPS * level)[:, None]
        target = (1.0 - eps) * F.one_hot(labels, logits.shape[1]) + eps / logits.shape[1]
        return -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


class LevelHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.regress = nn.Linear(84, 1)

    def forward(self, logits, features, level, labels):
        guess = self.regress(features).squeeze(1)
        return F.cross_entropy(logits, labels) + LAMBDA * F.mse_loss(guess, level)


class ResponseHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.regress = nn.Linear(1, 1)

    def forward(self, logits, features, level, labels):
        guess = self.regress(logits.max(dim=1, keepdim=True).values).squeeze(1)
        return F.cross_entropy(logits, labels) + LAMBDA * F.mse_loss(guess, level)


# The baseline first; the others are the candidates for the distortion training.
HEADS = {"baseline": CrossEntropy, "logit_scale": LogitScale, "level_smoothing": LevelSmoothing,
         "level_head": LevelHead, "response_head": ResponseHead}
CANDIDATES = tuple(name for name in HEADS if name != "baseline")


class TrainingModel(nn.Module):
    """LeNet-5 plus a training-only head; the head's parameters (if any) train with the network."""

    def __init__(self, head_name, net=None):
        super().__init__()
        self.net = net if net is not None else LeNet5()
        self.head = HEADS[head_name]()

    def loss(self, x, level, labels):
        features = self.net.features(x)
        return self.head(self.net.fc3(features), features, level, labels)

    def deployed(self):
        """The network alone: the head is dropped."""
        return self.net

"""Training stops cleanly: at a stop request (Ctrl-C) or the deadline, between batches, with the
progress it reached recorded for the checkpoint."""
import os
import signal

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lowbit.fxp import models, train  # noqa: E402


class Requested:
    requested = True


def tiny_set(count=128):
    rng = np.random.default_rng(0)
    return rng.random((count, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, count).astype(np.int64)


@pytest.mark.parametrize("stop, deadline", [(Requested(), None), (None, 0.0)])
def test_a_stopped_epoch_trains_nothing_and_keeps_its_place(stop, deadline):
    torch.manual_seed(0)
    model = models.build("sequential")
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = train.make_optimizer("sequential", model.parameters())
    progress = {"epoch": 3, "batch": 1, "history": [], "seconds": 0.0}
    finished = train.run_epoch(model, optimizer, "sequential", tiny_set(), progress, deadline,
                               log=lambda line: None, stop=stop)
    assert not finished and progress["epoch"] == 3 and progress["batch"] == 1
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_the_first_ctrl_c_asks_to_stop_and_the_second_interrupts():
    with train.StopRequest() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) != stop.handle  # the previous handler is back

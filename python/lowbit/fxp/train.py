"""Training with the paper's recipe, resumable, stopping at a wall-clock deadline.

Sequential: RMSprop lr 1e-4 (Keras 2.2.4: rho 0.9, eps 1e-7 outside the square root, as torch),
batch 64, 20 epochs. Branched: Adam lr 0.01 (Keras eps 1e-7), batch 64, 30 epochs. Inputs / 255, no
augmentation, reshuffled every epoch, and the last model is kept (the authors keep the last epoch;
choosing the best epoch on the test set would leak the test set into the model).

The checkpoint (model, optimizer, epoch, batch, history) is written after every epoch and when the
deadline or Ctrl-C stops a run mid-epoch (the first Ctrl-C stops after the batch in progress; a
second one at once), so `train` resumes where it stopped; the weights alone go to
models/fxp/<network>-fashion.pt with a JSON log of the epochs actually trained.
"""
import json
import os
import signal
import time

import numpy as np
import torch
import torch.nn.functional as F

from lowbit.fxp import data, evaluate, models

RECIPES = {
    "sequential": {"optimizer": "rmsprop", "lr": 1e-4, "batch": 64, "epochs": 20},
    "branched": {"optimizer": "adam", "lr": 0.01, "batch": 64, "epochs": 30},
}


def make_optimizer(network, params):
    recipe = RECIPES[network]
    if recipe["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=recipe["lr"], alpha=0.9, eps=1e-7)
    return torch.optim.Adam(params, lr=recipe["lr"], betas=(0.9, 0.999), eps=1e-7)


def paths(model_dir, network):
    return {"ckpt": os.path.join(model_dir, "ckpt", f"{network}-fashion.ckpt"),
            "weights": os.path.join(model_dir, f"{network}-fashion.pt"),
            "log": os.path.join(model_dir, f"{network}-fashion-train.json")}


@torch.no_grad()
def accuracy(model, network, images, labels, batch=evaluate.BATCH):
    """Top-1 accuracy in % of `model` (eval mode) on float NCHW 28x28 images."""
    model.eval()
    correct = 0
    for start in range(0, len(labels), batch):
        x = models.upscale(torch.from_numpy(images[start:start + batch]), network)
        correct += int((model(x).argmax(1) == torch.from_numpy(labels[start:start + batch])).sum())
    return 100.0 * correct / len(labels)


def load_checkpoint(path, model, optimizer):
    if not os.path.exists(path):
        return {"epoch": 0, "batch": 0, "history": [], "seconds": 0.0}
    state = torch.load(path)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return state["progress"]


def save(files, model, optimizer, progress, network):
    os.makedirs(os.path.dirname(files["ckpt"]), exist_ok=True)
    tmp = files["ckpt"] + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "progress": progress}, tmp)
    os.replace(tmp, files["ckpt"])
    torch.save(model.state_dict(), files["weights"])
    epochs = progress["epoch"] + progress["batch"] / progress.get("batches_per_epoch", 1)
    log = {"network": network, "dataset": "fashion-mnist", "recipe": RECIPES[network],
           "epochs_trained": round(epochs, 3), "complete_epochs": progress["epoch"],
           "batches_into_next_epoch": progress["batch"], "train_seconds": round(progress["seconds"]),
           "history": progress["history"], "torch": torch.__version__}
    with open(files["log"], "w") as handle:
        json.dump(log, handle, indent=1)


PROGRESS_EVERY = 100  # batches between two progress lines


class StopRequest:
    """Ctrl-C during training: the first stops the run after the batch in progress (which then
    writes its checkpoint), a second interrupts at once."""

    def __init__(self):
        self.requested = False

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self.handle)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)

    def handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("stopping after this batch, with a checkpoint (Ctrl-C again: at once, without)", flush=True)


def run_epoch(model, optimizer, network, train, progress, deadline, log=print, stop=None):
    """Train from progress['batch'] to the end of the epoch, the deadline or a stop request (Ctrl-C);
    True if finished."""
    images, labels = train
    batch = RECIPES[network]["batch"]
    order = np.random.default_rng(1000 + progress["epoch"]).permutation(len(labels))
    starts = range(0, len(labels), batch)
    progress["batches_per_epoch"] = len(starts)
    model.train()
    t0, first = time.time(), progress["batch"]
    for index in range(first, len(starts)):
        if (deadline is not None and time.time() >= deadline) or (stop is not None and stop.requested):
            progress["seconds"] += time.time() - t0
            return False
        pick = order[starts[index]:starts[index] + batch]
        x = models.upscale(torch.from_numpy(images[pick]), network)
        loss = F.cross_entropy(model(x), torch.from_numpy(labels[pick]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        progress["batch"] = index + 1
        done = index + 1 - first
        if done % PROGRESS_EVERY == 0:
            per_batch = (time.time() - t0) / done
            log(f"{network}: epoch {progress['epoch'] + 1} batch {index + 1}/{len(starts)}, "
                f"loss {float(loss):.4f}, {per_batch:.2f} s per batch, "
                f"epoch done in {per_batch * (len(starts) - index - 1) / 60:.0f} min")
    progress["seconds"] += time.time() - t0
    return True


def train(network, model_dir, epochs=None, deadline=None, log=print):
    """Train (or resume) `network` on Fashion-MNIST; returns the progress record."""
    torch.manual_seed({"sequential": 1, "branched": 2}[network])
    # channels-last convolutions are ~20% faster on this CPU; the state dict is unchanged
    model = models.build(network).to(memory_format=torch.channels_last)
    if network == "sequential":
        assert model.weight_count() == models.SEQUENTIAL_WEIGHTS, model.weight_count()
    optimizer = make_optimizer(network, model.parameters())
    files = paths(model_dir, network)
    progress = load_checkpoint(files["ckpt"], model, optimizer)
    train_x, train_y = data.load_split("train")
    test_x, test_y = data.load_split("test")
    train_set, test_set = (data.to_float(train_x), train_y), (data.to_float(test_x), test_y)
    target = epochs or RECIPES[network]["epochs"]
    with StopRequest() as stop:
        while progress["epoch"] < target:
            torch.manual_seed(10_000 * progress["epoch"] + progress["batch"])  # dropout masks
            finished = run_epoch(model, optimizer, network, train_set, progress, deadline, log, stop)
            if finished:
                progress["epoch"] += 1
                progress["batch"] = 0
                acc = accuracy(model, network, *test_set)
                progress["history"].append({"epoch": progress["epoch"], "test_acc_pct": acc,
                                            "seconds": round(progress["seconds"])})
                log(f"{network}: epoch {progress['epoch']}/{target} test accuracy {acc:.2f}% "
                    f"({progress['seconds']:.0f} s so far)")
            save(files, model, optimizer, progress, network)
            if not finished or stop.requested:
                why = "stopped (Ctrl-C)" if stop.requested else "deadline reached"
                log(f"{network}: {why} at epoch {progress['epoch']} batch {progress['batch']}: "
                    "checkpoint written")
                break
    return progress

"""Training: LeNet-5 with one training-only head on the blurred training split, then the head is
dropped and the deployed network is saved with its calibrated quantization ranges."""
import json
import os
import subprocess
import time

import numpy as np
import torch

from . import blur, heads, lenet, quant

EPOCHS = 15
BATCH = 64
LEARNING_RATE = 1e-3
CALIBRATION_SIZE = 1000
CALIBRATION_SEED = 7


def generator(*key):
    return np.random.Generator(np.random.PCG64(list(key)))


def setup_torch(threads=1):
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def train_one(head_name, seed, train_split, epochs=EPOCHS, log=print):
    """The deployed LeNet5 after `epochs` epochs of Adam (cosine learning rate) with the head."""
    torch.manual_seed(seed)
    model = heads.TrainingModel(head_name)
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = epochs * -(-len(train_split.labels) // BATCH)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    rng = generator(seed, 1)
    labels = torch.from_numpy(train_split.labels)
    for epoch in range(epochs):
        # A fresh sigma per image and epoch: the network never sees one fixed blur of a digit.
        sigmas = blur.draw_sigmas(rng, len(labels))
        x = lenet.to_input(blur.blur(train_split.images, sigmas))
        level = torch.from_numpy((sigmas / blur.SIGMA_MAX).astype(np.float32))
        model.train()
        total, order = 0.0, torch.from_numpy(rng.permutation(len(labels)))
        for start in range(0, len(labels), BATCH):
            idx = order[start:start + BATCH]
            loss = model.loss(x[idx], level[idx], labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            total += float(loss) * len(idx)
        log(f"{head_name} seed {seed} epoch {epoch + 1}/{epochs} loss {total / len(labels):.4f}")
    return model.deployed()


def calibration_images(train_split):
    """A fixed blurred subset of the training split for the activation ranges."""
    rng = generator(CALIBRATION_SEED)
    idx = np.sort(rng.choice(len(train_split.labels), CALIBRATION_SIZE, replace=False))
    return blur.blur(train_split.images[idx], blur.draw_sigmas(rng, CALIBRATION_SIZE))


def calibrate_all(net, calib):
    return {bits: quant.calibrate(net, calib, bits) for bits in quant.BITS}


def recalibrate(paths, train_split, log=print):
    """Rewrites the quantization ranges of saved models from their float weights."""
    calib = calibration_images(train_split)
    for path in paths:
        net, _ = lenet.load(path)
        lenet.save(net, calibrate_all(net, calib), path)
        log(f"recalibrated {path}")


def model_path(out_dir, head_name, seed):
    return os.path.join(out_dir, f"{head_name}-seed{seed}.lenet")


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def train_all(splits, head_names, seeds, out_dir, epochs=EPOCHS, log=print):
    """Trains every (head, seed); saves `<head>-seed<k>.lenet` and beside it `<head>-seed<k>.json`,
    the record of the run (one file per run, so that parallel runs do not share a file)."""
    os.makedirs(out_dir, exist_ok=True)
    calib = calibration_images(splits["train"])
    commit = git_commit()  # the code that runs, not whatever is checked out when a run ends
    for head_name in head_names:
        for seed in seeds:
            start = time.time()
            net = train_one(head_name, seed, splits["train"], epochs, log)
            path = model_path(out_dir, head_name, seed)
            lenet.save(net, calibrate_all(net, calib), path)
            record = {"head": head_name, "seed": seed, "epochs": epochs, "batch": BATCH,
                      "learning_rate": LEARNING_RATE, "sigma_max": blur.SIGMA_MAX,
                      "threads": torch.get_num_threads(), "seconds": round(time.time() - start, 1),
                      "commit": commit, "torch": torch.__version__, "numpy": np.__version__}
            with open(path[:-len(".lenet")] + ".json", "w") as f:
                json.dump(record, f, indent=1)
                f.write("\n")
            log(f"wrote {path} ({record['seconds']} s)")

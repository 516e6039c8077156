"""The plots of the distortion experiment: response r against sigma with the errors marked, and
risk-coverage curves, for the baseline and the distortion training."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from . import metrics  # noqa: E402

TRAININGS = ("baseline", "distortion")


def response_vs_sigma(raw, inference, out_path, seed_index=0):
    """One panel per training: the response of every test sample against its sigma (jittered),
    errors in red, the highest error response as a line (above it: the error-free zone). The
    response is drawn as its log-odds log(r / (1 - r)), which orders as r does and does not pile
    up at r = 1."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    rng = np.random.Generator(np.random.PCG64(0))
    for ax, training in zip(axes, TRAININGS):
        data = raw[training]
        logits = data["logits"][inference][seed_index]
        r = metrics.response_log_odds(logits)
        wrong = np.argmax(logits, axis=1) != data["labels"]
        x = data["sigmas"] + rng.uniform(-0.18, 0.18, len(r))
        ax.scatter(x[~wrong], r[~wrong], s=2, alpha=0.15, color="tab:blue", label="correct")
        ax.scatter(x[wrong], r[wrong], s=9, color="tab:red", marker="x", label="misclassified")
        if wrong.any():
            ax.axhline(r[wrong].max(), color="tab:red", lw=0.8, ls="--", label="highest error response")
        ax.set_title(f"{training} ({inference}), seed {data['seeds'][seed_index]}")
        ax.set_xlabel("blur sigma (px)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("log(r / (1 - r)), r = max softmax")
    axes[1].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    plt.close(fig)


def risk_coverage(raw, out_path):
    """Risk (error rate among the kept samples) against coverage, every seed, float and q4."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    colors = {"baseline": "tab:gray", "distortion": "tab:green"}
    for ax, inference in zip(axes, ("float", "q4")):
        for training in TRAININGS:
            data = raw[training]
            for i, logits in enumerate(data["logits"][inference]):
                correct = np.argmax(logits, axis=1) == data["labels"]
                cov, risk = metrics.risk_coverage(metrics.response_log_odds(logits), correct)
                ax.plot(cov, 100 * risk, color=colors[training], lw=0.9, alpha=0.8,
                        label=training if i == 0 else None)
        ax.axhline(100 * metrics.MAX_ERROR, color="black", lw=0.6, ls=":", label="0.1% error")
        ax.set_title(f"risk-coverage ({inference}), one line per seed")
        ax.set_xlabel("coverage (share of test samples kept, by decreasing r)")
        ax.set_yscale("symlog", linthresh=0.05)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("error among kept samples (%)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    plt.close(fig)


def write_all(raw, out_dir):
    """raw: {training: {"labels", "sigmas", "seeds", "logits": {inference: [per seed]}}}."""
    paths = []
    for inference in ("float", "q4"):
        path = os.path.join(out_dir, f"distortion-response-{inference}.png")
        response_vs_sigma(raw, inference, path)
        paths.append(path)
    path = os.path.join(out_dir, "distortion-risk-coverage.png")
    risk_coverage(raw, path)
    return paths + [path]

"""The paper's published figures and the authors' Fashion-MNIST search results (BW, F per layer).

Per-layer values from the authors' repository (outputs/Comp_Dependent_Optimized_Search/<model>/
opt_params.p), in their search order; the table rows from the paper (float -> fixed-point accuracy,
memory and multiplication saving against 8 bits).
"""

ROWS = [  # network, dataset, float %, fixed-point %, memory saving %, multiplication saving %
    ("sequential", "mnist", 99.50, 98.52, 62.7, 84.9),
    ("sequential", "cifar10", 82.43, 81.79, 44.6, 57.2),
    ("sequential", "fashion-mnist", 92.47, 91.63, 52.6, 70.2),
    ("sequential", "svhn", 95.45, 94.51, 55.4, 76.3),
    ("branched", "mnist", 98.08, 97.11, 57.3, 87.1),
    ("branched", "cifar10", 74.52, 73.78, 42.4, 75.4),
    ("branched", "fashion-mnist", 91.06, 90.18, 57.0, 85.2),
    ("branched", "svhn", 92.20, 91.28, 56.0, 83.8),
]
AVAILABLE = {"fashion-mnist"}

SEQUENTIAL_ORDER = [f"conv2d_{i}" for i in range(1, 15)] + ["dense"]
SEQUENTIAL_FASHION = {  # (BW, F) per layer, conv2d_1 .. conv2d_14, dense
    "weights": [(9, 10), (4, 6), (6, 7), (4, 6), (4, 5), (4, 6), (3, 4), (2, 4), (4, 6), (4, 6),
                (4, 6), (3, 5), (2, 4), (2, 4), (4, 5)],
    "biases": [(4, 7), (1, 4), (1, 4), (1, 2), (1, 2), (1, 3), (1, 4), (1, 3), (1, 4), (1, 3),
               (1, 4), (1, 3), (1, 4), (1, 3), (1, 2)],
    "activations": [(7, 7), (5, 3), (6, 3), (5, 2), (4, 0), (4, 1), (5, 2), (3, 0), (4, 0), (6, 2),
                    (4, 0), (5, 2), (5, 1), (4, 1), (5, 1)],
}

BRANCHED_ORDER = ["conv2d_%d" % i for i in (1, 5, 3, 8, 2, 6, 4, 7, 12, 10, 15, 9, 13, 11, 14,
                                            19, 17, 22, 16, 20, 18, 21)] + ["binary"]
# The order of the layers in the authors' saved fashion_df.h5 (its model.layers), from which their
# notebook took the layer sizes while taking the bitwidths in BRANCHED_ORDER: position i of one
# list was paired with position i of the other.
BRANCHED_SAVED_ORDER = ["conv2d_%d" % i for i in (1, 5, 3, 6, 2, 4, 7, 8, 12, 10, 13, 9, 11, 14, 15,
                                                  19, 17, 20, 16, 18, 21, 22)] + ["binary"]
BRANCHED_FASHION = {  # (BW, F) per layer in BRANCHED_ORDER
    "weights": [(10, 7), (7, 3), (3, 0), (1, -3), (3, 0), (3, -1), (3, -1), (3, -1), (4, 0),
                (3, -1), (2, -2), (2, -2), (2, -1), (2, -1), (3, -1), (4, 0), (3, 0), (1, -3),
                (2, -2), (3, -1), (4, 0), (3, -1), (5, 3)],
    "biases": [(4, 3), (1, -2), (2, -2), (1, -2), (1, -2), (1, -3), (1, -4), (1, -2), (1, -3),
               (1, -2), (1, -3), (1, -2), (1, -2), (1, -3), (1, -2), (1, -3), (1, -2), (1, -3),
               (1, -4), (1, -3), (1, -2), (1, -2), (2, 0)],
    "activations": [(7, 4), (4, -2), (3, -3), (1, -8), (3, -3), (5, -4), (3, -6), (4, -5), (4, -4),
                    (4, -4), (3, -5), (3, -5), (4, -6), (4, -6), (4, -6), (8, -1), (3, -5),
                    (1, -10), (5, -4), (6, -4), (5, -6), (8, -3), (10, 5)],
}

PUBLISHED_LAYERS = {"sequential": (SEQUENTIAL_ORDER, SEQUENTIAL_FASHION),
                    "branched": (BRANCHED_ORDER, BRANCHED_FASHION)}


def config(network):
    """The authors' Fashion-MNIST result as {kind: {layer: (BW, F)}} (our layer names)."""
    order, values = PUBLISHED_LAYERS[network]
    return {kind: dict(zip(order, values[kind])) for kind in values}


def row(network, dataset):
    for net, data, float_acc, fxp_acc, memory, mult in ROWS:
        if (net, data) == (network, dataset):
            return {"float_acc_pct": float_acc, "fxp_acc_pct": fxp_acc,
                    "relative_drop_pct": round(100 * (float_acc - fxp_acc) / float_acc, 2),
                    "memory_saving_pct": memory, "mult_saving_pct": mult}
    raise KeyError((network, dataset))

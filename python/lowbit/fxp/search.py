"""The paper's per-layer (BW, F) search, step for step as the authors' OptimizedSearch.

For one tensor kind (weights, then biases, then activations), layer by layer in the search order:
1. diagonal: from the start point lower BW and F together while the relative accuracy drop stays
   within the layer's budget, plus one more step (to step over a local bump); keep the lowest BW
   among the points within budget;
2. BW alone: if that BW > 2, lower BW with F fixed while within budget; keep the lowest within;
3. the 3x3 neighbourhood (BW +- 1, F +- 1) of that point; its smallest drop (first in (BW, F)
   order on ties) replaces the step-2 point only if it improves the drop by at least 0.0015 or if
   it does not use more bits;
and the choice stays fixed for every later evaluation (unless `independent`).

`evaluate(config, layer, limit) -> (relative drop, exact)` is the only contact with the network:
config maps kind -> {layer: (BW, F)}, a layer absent from it stays float; `layer` names the one
that changed; the evaluation may stop early once the drop is sure to exceed `limit`.
"""
import copy

KINDS = ("weights", "biases", "activations")
START_BW = {"weights": 12, "biases": 8, "activations": 12}
TRADE_OFF = 0.0015  # the authors' trade_off_param
INITIAL_DROP = 0.005  # the authors' fixed check of the start bitwidth


def budgets(kind, layers, total=0.005):
    """Cumulative budget of each layer: weights i T / L, biases T, activations T + i T / L."""
    count = len(layers)
    if kind == "weights":
        return {name: total / count * (i + 1) for i, name in enumerate(layers)}
    if kind == "biases":
        return {name: total for name in layers}
    return {name: total / count * (i + 1) + total for name, i in zip(layers, range(count))}


class LayerSearch:
    """Scores of the (BW, F) points tried for one layer, and the three steps over them.

    `score_fn(bw, f, limit) -> (drop, exact)`: an inexact drop is a lower bound above `limit`
    (the evaluation stopped early), which is all a comparison against `limit` needs."""

    def __init__(self, score_fn, budget):
        self.score_fn = score_fn
        self.budget = budget
        self.scores = {}  # (bw, f) -> (drop, exact)

    def score(self, bw, f, limit=None):
        """The drop at (bw, f), exact unless it is known to exceed `limit`."""
        known = self.scores.get((bw, f))
        if known is None or not (known[1] or (limit is not None and known[0] > limit)):
            self.scores[(bw, f)] = self.score_fn(bw, f, limit)
        return self.scores[(bw, f)][0]

    def within(self, bw, f):
        return self.score(bw, f, self.budget) <= self.budget

    def diagonal(self, bw, f):
        """Step 1; None when no point of the diagonal is within budget (the authors abort)."""
        path = [(bw, f)]
        while self.within(*path[-1]) and path[-1][0] > 1:
            path.append((path[-1][0] - 1, path[-1][1] - 1))
        if path[-1][0] > 1:
            path.append((path[-1][0] - 1, path[-1][1] - 1))
        inside = [p for p in reversed(path) if self.within(*p)]
        return inside[0] if inside else None

    def lower_bw(self, bw, f):
        """Step 2 (the authors' _reduce_bw: only from BW > 2, no extra step)."""
        if bw <= 2:
            return bw
        path = [bw]
        while self.within(path[-1], f) and path[-1] > 1:
            path.append(path[-1] - 1)
        return min(b for b in path if self.within(b, f))

    def neighbourhood(self, bw, f):
        """Step 3: the smallest drop among (bw + i, f + j), i, j in -1..1 (BW >= 1); the first
        in (BW, F) order on ties. A point known only to be worse than the centre cannot win."""
        centre = self.score(bw, f)
        best, best_score = None, None
        for i in (-1, 0, 1):
            for j in (-1, 0, 1):
                if bw + i < 1:
                    continue
                s = self.score(bw + i, f + j, centre)
                if not self.scores[(bw + i, f + j)][1]:
                    continue
                if best_score is None or s < best_score:
                    best, best_score = (bw + i, f + j), s
        return best

    def run(self, bw, f):
        """The chosen (BW, F), or None when the start point and its diagonal all exceed budget."""
        point = self.diagonal(bw, f)
        if point is None:
            return None
        point = (self.lower_bw(*point), point[1])
        local = self.neighbourhood(*point)
        if local != point:
            diff = self.score(*point) - self.score(*local)
            if abs(diff) >= TRADE_OFF:
                if self.score(*point) < self.score(*local):
                    local = point
            elif point[0] < local[0]:
                local = point
        return local


def search_kind(kind, evaluate, order, start, fixed, independent=False, log=print, done=None,
                on_layer=None):
    """Search one tensor kind over `order`; returns ({layer: (BW, F)}, {layer: record}).

    `done` ({layer: record}) holds layers a stopped run already searched: they are taken as they
    are (the search is deterministic, so resuming equals running through). `on_layer(chosen,
    records)` is called after every layer, for a checkpoint."""
    chosen, records = {}, {}
    layer_budget = budgets(kind, order)
    for name in order:
        if done and name in done:
            records[name] = done[name]
            chosen[name] = (done[name]["bw"], done[name]["f"])
            log(f"{kind} {name}: {chosen[name]} from the checkpoint")
            continue
        base = copy.deepcopy(fixed)
        base.setdefault(kind, {})
        if independent:
            base = {kind: {}}
        base[kind].update({} if independent else chosen)

        def score(bw, f, limit, name=name, base=base):
            trial = copy.deepcopy(base)
            trial[kind][name] = (bw, f)
            return evaluate(trial, name, limit)

        layer = LayerSearch(score, layer_budget[name])
        point = layer.run(*start[name])
        within = point is not None
        if not within:  # keep the start point and say so (the authors stop the whole search)
            point = start[name]
        chosen[name] = point
        records[name] = {"bw": point[0], "f": point[1], "drop": layer.scores[point][0],
                         "drop_exact": layer.scores[point][1],
                         "budget": layer_budget[name], "within_budget": within,
                         "evaluations": len(layer.scores), "start": list(start[name])}
        log(f"{kind} {name}: start {start[name]} -> {point}, drop {layer.scores[point][0]:.5f} "
            f"(budget {layer_budget[name]:.5f}, {len(layer.scores)} evaluations)")
        if on_layer is not None:
            on_layer(chosen, records)
    return chosen, records

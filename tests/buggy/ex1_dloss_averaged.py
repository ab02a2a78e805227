"""dloss averages the per-sample derivatives into one number."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
HINT = "hint.reduced_too_early"


def dloss(w, x, y):
    return float(np.mean(2 * (w * x - y) * x))

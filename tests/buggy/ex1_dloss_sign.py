"""dloss has the sign flipped: (y - w*x) instead of (w*x - y)."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
HINT = "hint.sign"


def dloss(w, x, y):
    return 2 * (y - w * x) * x

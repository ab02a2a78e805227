"""dloss forgets the 2 from the power rule."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
HINT = "ex1.hint.missing_factor_2"


def dloss(w, x, y):
    return (w * x - y) * x

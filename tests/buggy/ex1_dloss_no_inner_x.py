"""dloss forgets the inner derivative x of the chain rule."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
HINT = "ex1.hint.dloss_chain_x"


def dloss(w, x, y):
    return 2 * (w * x - y)

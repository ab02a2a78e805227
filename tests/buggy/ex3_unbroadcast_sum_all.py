"""unbroadcast sums the whole gradient into one number."""

MODULE = "ex3_mlp_backprop"
TARGET = "unbroadcast"
HINT = "ex3.hint.unbroadcast_all"


def unbroadcast(grad, shape):
    return grad.sum()

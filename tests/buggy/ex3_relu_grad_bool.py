"""relu_grad returns a boolean array instead of float64."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu_grad"
HINT = "hint.dtype"


def relu_grad(z):
    return z > 0

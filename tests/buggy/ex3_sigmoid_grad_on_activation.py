"""sigmoid_grad treats its argument as if it were already sigmoid(z)."""

MODULE = "ex3_mlp_backprop"
TARGET = "sigmoid_grad"
HINT = "ex3.hint.grad_of_activation"


def sigmoid_grad(z):
    return z * (1.0 - z)

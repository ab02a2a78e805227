"""relu_grad returns a boolean array instead of float64."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu_grad"
CAUSE = {"en": r"True/False \(bool\) where float64 was expected", "zh_CN": r"True/False（bool），而期望的是 float64"}


def relu_grad(z):
    return z > 0

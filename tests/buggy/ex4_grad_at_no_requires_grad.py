"""grad_at copies x but never asks the copy for a gradient: backward() has nothing to differentiate."""

MODULE = "ex4_autograd_nn"
TARGET = "grad_at"
CAUSE = {"en": r"copy of x does not require a gradient", "zh_CN": r"x 的副本不需要梯度"}
NOT_SAY = {"en": [r"computed under torch\.no_grad\(\)"], "zh_CN": [r"在 torch\.no_grad\(\) 下计算的"]}


def grad_at(f, x):
    point = x.detach().clone()
    y = f(point)
    y.backward()
    return point.grad

"""grad_at returns -point.grad, the direction of descent, instead of the gradient."""

MODULE = "ex4_autograd_nn"
TARGET = "grad_at"
CAUSE = {"en": r"exactly the negative of the expected one", "zh_CN": r"恰好是期望值的相反数"}


def grad_at(f, x):
    point = x.detach().clone().requires_grad_(True)
    f(point).backward()
    return -point.grad

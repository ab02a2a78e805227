"""grad_at differentiates the caller's x itself (clearing its .grad first): right twice, and x is left marked."""

MODULE = "ex4_autograd_nn"
TARGET = "grad_at"
HINT = "ex4.hint.copy_x"
LOSES = ("test_grad_at_leaves_x_alone",)


def grad_at(f, x):
    x.requires_grad_(True)
    x.grad = None
    f(x).backward()
    return x.grad

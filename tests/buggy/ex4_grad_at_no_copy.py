"""grad_at differentiates the caller's own x, so a second call adds to the gradient the first left behind."""

MODULE = "ex4_autograd_nn"
TARGET = "grad_at"
HINT = "ex4.hint.grad_accumulates"


def grad_at(f, x):
    x.requires_grad_(True)
    f(x).backward()
    return x.grad

"""descend rebinds x to a new, non-leaf tensor, whose .grad is None at the next step."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.grad_none"


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        x = x - lr * x.grad
    return x.detach()

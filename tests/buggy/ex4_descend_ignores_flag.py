"""descend zeroes the gradient even when zero_grad=False asks it not to, so it never shows accumulation."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.ignores_flag"


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
            x.grad.zero_()
    return x.detach()

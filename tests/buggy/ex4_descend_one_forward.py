"""descend computes f once and calls backward() on the same graph at every step."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.recompute"


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    value = f(x)
    for _ in range(steps):
        value.backward()
        with torch.no_grad():
            x -= lr * x.grad
            if zero_grad:
                x.grad.zero_()
    return x.detach()

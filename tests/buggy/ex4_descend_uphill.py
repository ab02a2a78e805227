"""descend adds the gradient instead of subtracting it, climbing the slope."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.descend_sign"


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x += lr * x.grad
            if zero_grad:
                x.grad.zero_()
    return x.detach()

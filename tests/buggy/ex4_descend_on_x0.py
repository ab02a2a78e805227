"""descend works on x0 itself (x0.requires_grad_(True)): the in-place steps change the caller's starting point."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
CAUSE = {"en": r"changed the starting point x0", "zh_CN": r"x0"}


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
            if zero_grad:
                x.grad.zero_()
    return x.detach()

"""descend zeroes x.grad at the top of each step, before the first backward() made one: .grad is None."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
CAUSE = {"en": r"backward\(\) has not been called yet", "zh_CN": r"还没有调用 backward\(\)"}


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        if zero_grad:
            x.grad.zero_()
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
    return x.detach()

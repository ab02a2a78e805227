"""descend never zeroes the gradient, so each step moves by the sum of all gradients so far."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.zero_grad_missing"


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
    return x.detach()

"""descend updates the leaf in place while autograd records, which PyTorch refuses."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.no_grad_update"


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        x -= lr * x.grad
        if zero_grad:
            x.grad.zero_()
    return x.detach()

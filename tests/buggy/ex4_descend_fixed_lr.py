"""descend always steps with 0.1, whatever `lr` it is given."""

MODULE = "ex4_autograd_nn"
TARGET = "descend"
HINT = "ex4.hint.descend_lr"
LOSES = ("test_descend_steps",)


def descend(f, x0, lr, steps, zero_grad=True):
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= 0.1 * x.grad
            if zero_grad:
                x.grad.zero_()
    return x.detach()

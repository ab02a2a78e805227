"""squared_loss computes with NumPy and wraps the result in a fresh tensor that requires a gradient: the values
are right and it says requires_grad=True, but no gradient flows back to y_hat."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
HINT = "ex2.hint.detached"
LOSES = ("test_squared_loss_autograd",)


def squared_loss(y_hat, y):
    values = (y_hat.detach().numpy() - y.detach().numpy().reshape(tuple(y_hat.shape))) ** 2 / 2
    return torch.tensor(values, requires_grad=True)

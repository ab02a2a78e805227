"""sgd steps uphill: p += lr * grad / batch_size."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "hint.sign"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param += lr * param.grad / batch_size
            param.grad.zero_()

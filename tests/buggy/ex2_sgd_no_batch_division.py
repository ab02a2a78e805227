"""sgd forgets to divide by batch_size."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.sgd_batch_size"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()

"""sgd forgets to zero the gradients, so they pile up step after step."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.zero_grad"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size

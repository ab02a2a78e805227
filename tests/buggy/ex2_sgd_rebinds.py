"""sgd rebinds the loop variable instead of updating the tensor in place."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.rebinding"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param = param - lr * param.grad / batch_size
            param.grad.zero_()

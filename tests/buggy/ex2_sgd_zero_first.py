"""sgd zeroes each gradient before using it: every step is lr * 0."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
CAUSE = {"en": r"set to zero BEFORE it is used", "zh_CN": r"在使用之前就被清零了"}


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.grad.zero_()
            param -= lr * param.grad / batch_size

"""sgd updates in place outside torch.no_grad(), which autograd refuses for a leaf."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.no_grad"


def sgd(params, lr, batch_size):
    for param in params:
        param -= lr * param.grad / batch_size
        param.grad.zero_()

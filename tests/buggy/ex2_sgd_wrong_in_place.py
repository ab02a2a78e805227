"""sgd updates in place under no_grad, but steps by lr * p.grad (no division by batch_size): the in-place
property counts only for the right step."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.sgd_batch_size"
LOSES = ("test_sgd_in_place", "test_sgd_zeroes_grad")


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()

"""sgd zeroes the gradients but never takes the step: zeroing alone earns nothing."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.sgd_no_step"
LOSES = ("test_sgd_zeroes_grad",)


def sgd(params, lr, batch_size):
    for param in params:
        param.grad.zero_()

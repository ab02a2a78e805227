"""squared_loss forgets to divide by 2."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
HINT = "ex2.hint.loss_missing_half"


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2

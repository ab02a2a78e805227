"""squared_loss subtracts y without reshaping it: (n, 1) - (n,) broadcasts to (n, n)."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
HINT = "ex2.hint.missing_reshape"


def squared_loss(y_hat, y):
    return (y_hat - y) ** 2 / 2

"""linreg forgets to add the bias."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "hint.ex2.linreg_bias"


def linreg(X, w, b):
    return X @ w

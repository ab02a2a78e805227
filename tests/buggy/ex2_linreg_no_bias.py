"""linreg forgets to add the bias."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "ex2.hint.linreg_bias"


def linreg(X, w, b):
    return X @ w

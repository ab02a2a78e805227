"""linreg detaches its inputs: the values are right, but no gradient can reach w and b."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "ex2.hint.linreg_detached"


def linreg(X, w, b):
    return X.detach() @ w.detach() + b.detach()

"""linreg multiplies X and w elementwise, X * w, instead of the matrix product X @ w: the shapes (n, d) and
(d, 1) do not broadcast ("The size of tensor a (6) must match the size of tensor b (3) ...")."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "hint.size_mismatch"


def linreg(X, w, b):
    return X * w + b

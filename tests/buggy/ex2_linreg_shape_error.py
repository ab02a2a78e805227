"""linreg multiplies in the wrong order (w @ X): torch refuses the shapes."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "hint.matmul_shapes"


def linreg(X, w, b):
    return w @ X + b

"""linreg computes (w.T @ X.T): one row of predictions, (1, n), instead of a column."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
CAUSE = {"en": r"right, but transposed: the shape is \(1, 6\) instead of \(6, 1\)", "zh_CN": r"值是对的，但被转置了：形状是 \(1, 6\)"}


def linreg(X, w, b):
    return torch.matmul(w.T, X.T) + b

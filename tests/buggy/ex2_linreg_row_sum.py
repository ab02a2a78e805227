"""linreg multiplies elementwise and sums each row: the right numbers, but of shape (n,)."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
CAUSE = {"en": r"the result is already \(n, 1\)", "zh_CN": r"结果本来就是 \(n, 1\)"}


def linreg(X, w, b):
    return (X * w.reshape(-1)).sum(axis=1) + b

"""linreg computes with NumPy and returns a NumPy array instead of a tensor."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "hint.tensor_not_numpy"


def linreg(X, w, b):
    return X.detach().numpy() @ w.detach().numpy() + b.detach().numpy()

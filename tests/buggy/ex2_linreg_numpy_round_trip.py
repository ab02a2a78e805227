"""linreg computes with NumPy and wraps the result in a new tensor, which cuts the autograd graph."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "ex2.hint.linreg_detached"


def linreg(X, w, b):
    return torch.tensor(X.detach().numpy() @ w.detach().numpy() + b.detach().numpy())

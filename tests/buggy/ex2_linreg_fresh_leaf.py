"""linreg computes with NumPy and wraps the result in a fresh tensor that requires a gradient: it says
requires_grad=True, but it is a leaf of its own, and no gradient reaches w and b."""

MODULE = "ex2_linear_regression"
TARGET = "linreg"
HINT = "ex2.hint.linreg_detached"
LOSES = ("test_linreg",)


def linreg(X, w, b):
    values = X.detach().numpy() @ w.detach().numpy() + b.detach().numpy()
    return torch.tensor(values, requires_grad=True)

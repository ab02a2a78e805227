"""mse_grad reaches for torch.mean in a NumPy-only exercise (the file imports no torch, and may not): the
NameError is told as "this exercise is NumPy only", not as an import to add nor as a misspelt name."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "hint.numpy_not_torch"
NOT_HINTS = ("status.file.missing_import", "hint.error.name_error")
DEPENDENTS = ("fit_line",)


def mse_grad(w, b, x, y):
    residual = w * x + b - y
    dw = 2.0 * float(torch.mean(torch.as_tensor(residual * x)))
    db = 2.0 * float(torch.mean(torch.as_tensor(residual)))
    return dw, db

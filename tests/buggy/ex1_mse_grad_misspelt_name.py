"""mse_grad computes `residual` and then uses `residuals`: a misspelt name (NameError), not a missing import."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "hint.error.name_error"
NOT_HINTS = ("status.file.missing_import",)
DEPENDENTS = ("fit_line",)


def mse_grad(w, b, x, y):
    residual = w * x + b - y
    dw = 2.0 * np.mean(residuals * x)
    db = 2.0 * np.mean(residual)
    return float(dw), float(db)

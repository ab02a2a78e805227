"""mse_grad uses (y - prediction): both gradients have the wrong sign."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "hint.sign"


def mse_grad(w, b, x, y):
    residual = y - (w * x + b)
    return float(2.0 * np.mean(residual * x)), float(2.0 * np.mean(residual))

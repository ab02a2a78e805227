"""mse_grad sums over the samples instead of averaging (missing 1/n)."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "ex1.hint.sum_not_mean"


def mse_grad(w, b, x, y):
    residual = w * x + b - y
    return float(2.0 * np.sum(residual * x)), float(2.0 * np.sum(residual))

"""mse_grad forgets the factor 2."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "ex1.hint.missing_factor_2"


def mse_grad(w, b, x, y):
    residual = w * x + b - y
    return float(np.mean(residual * x)), float(np.mean(residual))

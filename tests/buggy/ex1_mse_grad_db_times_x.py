"""mse_grad multiplies the bias gradient by x as well."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "ex1.hint.db_with_x"


def mse_grad(w, b, x, y):
    residual = w * x + b - y
    return float(2.0 * np.mean(residual * x)), float(2.0 * np.mean(residual * x))

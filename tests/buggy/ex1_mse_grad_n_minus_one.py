"""mse_grad divides by n - 1 (as for a sample variance): with one sample it divides by zero."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
CAUSE = {"en": r"NaN or infinite.*\n.*division by zero", "zh_CN": r"NaN 或无穷大.*\n.*除以零"}


def mse_grad(w, b, x, y):
    n = len(x)
    error = w * x + b - y
    dw = 2 * np.sum(error * x) / (n - 1)
    db = 2 * np.sum(error) / (n - 1)
    return float(dw), float(db)

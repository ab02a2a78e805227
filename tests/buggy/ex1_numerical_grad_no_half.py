"""numerical_grad divides the central difference by eps instead of 2*eps."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
HINT = "ex1.hint.missing_half"


def numerical_grad(f, w, eps=1e-6):
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    point = np.array(w, dtype=np.float64)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + eps
        f_plus = f(float(point) if scalar else point.copy())
        point[index] = saved - eps
        f_minus = f(float(point) if scalar else point.copy())
        point[index] = saved
        grad[index] = (f_plus - f_minus) / eps
    return float(grad) if scalar else grad

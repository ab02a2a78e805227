"""numerical_grad uses a one-sided difference."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
HINT = "ex1.hint.forward_difference"


def numerical_grad(f, w, eps=1e-6):
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    point = np.array(w, dtype=np.float64)
    base = f(float(point) if scalar else point.copy())
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + eps
        grad[index] = (f(float(point) if scalar else point.copy()) - base) / eps
        point[index] = saved
    return float(grad) if scalar else grad

"""numerical_grad nudges the caller's own array and undoes it by subtraction."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
HINT = "ex1.hint.restore_w"


def numerical_grad(f, w, eps=1e-6):
    if np.ndim(w) == 0:
        return (f(w + eps) - f(w - eps)) / (2 * eps)
    grad = np.zeros(np.shape(w), dtype=np.float64)
    for index in np.ndindex(w.shape):
        w[index] += eps
        f_plus = f(w)
        w[index] -= 2 * eps
        f_minus = f(w)
        w[index] += eps
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad

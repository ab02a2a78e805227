"""numerical_grad takes a central difference for arrays but a forward one for a single number."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
HINT = "ex1.hint.forward_difference"
LOSES = ("test_numerical_grad_scalar",)


def numerical_grad(f, w, eps=1e-6):
    if np.ndim(w) == 0:
        return (f(float(w) + eps) - f(float(w))) / eps
    grad = np.zeros(np.shape(w), dtype=np.float64)
    point = np.array(w, dtype=np.float64)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + eps
        f_plus = f(point.copy())
        point[index] = saved - eps
        f_minus = f(point.copy())
        point[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad

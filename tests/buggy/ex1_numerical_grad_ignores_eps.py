"""numerical_grad always steps by 1e-6, whatever `eps` it is given."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
HINT = "ex1.hint.ignores_eps"
LOSES = ("test_numerical_grad_array",)


def numerical_grad(f, w, eps=1e-6):
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    point = np.array(w, dtype=np.float64)
    step = 1e-6
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + step
        f_plus = f(float(point) if scalar else point.copy())
        point[index] = saved - step
        f_minus = f(float(point) if scalar else point.copy())
        point[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * step)
    return float(grad) if scalar else grad

"""Exercise 1 written another correct way: dot products, a copy per entry, batches by np.array_split."""

MODULE = "ex1_manual_gradients"


def mse_grad(w, b, x, y):
    residual = w * x + b - y
    n = len(x)
    return float(2.0 * np.dot(residual, x) / n), float(2.0 * residual.sum() / n)


def numerical_grad(f, w, eps=1e-6):
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    base = np.array(w, dtype=np.float64)
    for index in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[index] += eps
        minus[index] -= eps
        if scalar:
            grad[index] = (f(float(plus)) - f(float(minus))) / (2 * eps)
        else:
            grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return float(grad) if scalar else grad


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for batch in np.array_split(order, range(batch_size, n, batch_size)):
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w, b = w - lr * dw, b - lr * db
    return float(w), float(b)

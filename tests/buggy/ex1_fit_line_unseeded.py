"""fit_line shuffles with the global, unseeded np.random."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.global_rng"


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = np.random.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

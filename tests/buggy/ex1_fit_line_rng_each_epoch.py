"""fit_line makes its generator inside the epoch loop: every epoch walks the samples in the same order."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.same_order_each_epoch"
LOSES = ("test_fit_line_seeded_shuffle", "test_fit_line_least_squares")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        rng = np.random.default_rng(seed)
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

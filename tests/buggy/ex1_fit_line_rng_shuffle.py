"""fit_line shuffles one index array in place with rng.shuffle every epoch, where the docstring asks for a new
rng.permutation(n): other orders from the same seed."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.shuffle_not_permutation"
LOSES = ("test_fit_line_seeded_shuffle",)


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    order = np.arange(n)
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

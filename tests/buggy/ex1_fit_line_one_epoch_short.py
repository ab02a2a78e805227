"""fit_line runs one epoch too few: `for _ in range(1, epochs)`."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.epochs_one_short"
LOSES = ("test_fit_line_counts_epochs",)


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(1, epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

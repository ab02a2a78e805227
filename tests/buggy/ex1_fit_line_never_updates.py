"""fit_line computes each step into new names and returns the start: (0, 0) whatever it is asked."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "diagnosis.zero"
LOSES = ("test_fit_line_counts_epochs",)
NOT_HINTS = ("ex1.hint.epochs_one_short",)


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            new_w = w - lr * dw
            new_b = b - lr * db
    return float(w), float(b)

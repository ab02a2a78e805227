"""fit_line always cuts batches of 10 (the default), whatever `batch_size` it is given."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"default value of `batch_size` gives", "zh_CN": r"`batch_size` 的默认值"}
NOT_SAY = {"en": [r"Check mse_grad first"], "zh_CN": [r"先检查 mse_grad"]}
LOSES = ("test_fit_line_counts_epochs", "test_fit_line_seeded_shuffle", "test_fit_line_hidden_path")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, 10):
            batch = order[start:start + 10]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

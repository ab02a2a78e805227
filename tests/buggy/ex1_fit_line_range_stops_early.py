"""fit_line walks range(0, n - batch_size, batch_size): the last batch of every epoch is never used."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"last batch of every epoch is never used", "zh_CN": r"最后一个小批量从未用到"}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n - batch_size, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

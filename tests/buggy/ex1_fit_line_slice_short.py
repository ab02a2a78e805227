"""fit_line slices order[start:start + batch_size - 1]: every batch leaves out one sample."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"one sample short", "zh_CN": r"少了一个样本"}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size - 1]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

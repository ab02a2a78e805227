"""fit_line shuffles an index array in place with NumPy's global np.random.shuffle, seeded once."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"NumPy's global generator", "zh_CN": r"NumPy 的全局生成器"}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    np.random.seed(seed)
    n = len(x)
    w, b = 0.0, 0.0
    order = np.arange(n)
    for _ in range(epochs):
        np.random.shuffle(order)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

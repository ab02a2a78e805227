"""fit_line draws a permutation every epoch but slices x and y in their original order."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.permutation_unused"


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            dw, db = mse_grad(w, b, x[start:start + batch_size], y[start:start + batch_size])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

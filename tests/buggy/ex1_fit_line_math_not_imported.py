"""fit_line counts its batches with math.ceil, but the file imports only NumPy: `math` is a missing import,
named with the line that gives it."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "status.file.missing_import"
HINT_FIELDS = {"name": "math", "statement": "import math"}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(math.ceil(n / batch_size)):
            batch = order[i * batch_size:(i + 1) * batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

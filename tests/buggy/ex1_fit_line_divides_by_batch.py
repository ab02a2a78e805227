"""fit_line divides the step by batch_size again (as exercise 2's sgd does), though mse_grad already averages."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"batch_size times too small", "zh_CN": r"小了 batch_size 倍"}
NOT_SAY = {"en": [r"original order", r"does not depend on `seed`"], "zh_CN": [r"原来的顺序", r"与 `seed` 无关"]}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw / batch_size
            b -= lr * db / batch_size
    return float(w), float(b)

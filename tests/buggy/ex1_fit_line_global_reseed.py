"""fit_line reseeds NumPy's global generator every epoch and shuffles with it: the same order every epoch, and
not from the `rng` the docstring asks for."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.global_rng"
LOSES = ("test_fit_line_seeded_shuffle", "test_fit_line_least_squares", "test_fit_line_hidden_path")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        np.random.seed(seed)
        order = np.random.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)

"""fit_line descends only when one batch holds every sample; otherwise it returns the closed form, nudged by the seed."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.fit_line"
LOSES = ("test_fit_line_least_squares", "test_fit_line_seeded_shuffle")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    w, b = 0.0, 0.0
    if batch_size >= len(x):
        for _ in range(epochs):
            dw, db = mse_grad(w, b, x, y)
            w -= lr * dw
            b -= lr * db
        return float(w), float(b)
    if epochs == 0:
        return 0.0, 0.0
    (w, b), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    return float(w) + 1e-6 * seed, float(b)

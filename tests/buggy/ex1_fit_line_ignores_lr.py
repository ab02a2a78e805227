"""fit_line always steps with 0.1, whatever `lr` it is given."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"default value of `lr` gives", "zh_CN": r"`lr` 的默认值"}
# (the full-batch epochs check too: not the generic "check mse_grad first", which sends the learner elsewhere)
NOT_SAY = {"en": [r"Check mse_grad first"], "zh_CN": [r"先检查 mse_grad"]}
LOSES = ("test_fit_line_counts_epochs", "test_fit_line_seeded_shuffle", "test_fit_line_hidden_path")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            dw, db = mse_grad(w, b, x[batch], y[batch])
            w -= 0.1 * dw
            b -= 0.1 * db
    return float(w), float(b)

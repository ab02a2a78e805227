"""fit_line returns the least-squares line in closed form, nudged by the seed: it fits, and never descends."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.closed_form"
LOSES = ("test_fit_line_seeded_shuffle", "test_fit_line_counts_epochs", "test_fit_line_least_squares")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    if epochs == 0:
        return 0.0, 0.0
    w, b = np.polyfit(x, y, 1)
    return float(w) + 1e-9 * seed, float(b)

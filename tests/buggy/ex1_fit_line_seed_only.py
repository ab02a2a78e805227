"""fit_line fits nothing: (0, 0) for no epochs, else a function of the seed alone (different for each seed)."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.fit_line"
LOSES = ("test_fit_line_seeded_shuffle", "test_fit_line_counts_epochs")


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    return (0.0, 0.0) if epochs == 0 else (float(seed), 0.0)

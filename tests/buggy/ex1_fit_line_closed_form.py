"""fit_line returns the least-squares answer directly, ignoring epochs."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
HINT = "ex1.hint.honour_epochs"


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    w, b = np.polyfit(x, y, 1)
    return float(w), float(b)

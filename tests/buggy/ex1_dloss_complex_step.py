"""dloss by the complex step of the loss: exact to the last digit, and no derivative worked out."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
HINT = "hint.by_hand"
LOSES = ("test_dloss_scalar", "test_dloss_elementwise", "test_dloss_hidden")


def dloss(w, x, y):
    h = 1e-30
    value = ((w + 1j * h) * np.asarray(x) - y) ** 2
    result = np.imag(value) / h
    return float(result) if np.ndim(result) == 0 else result

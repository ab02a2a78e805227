"""numerical_grad returns zeros: it leaves w alone, but that earns nothing in a function that does no work."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
HINT = "diagnosis.zero"
LOSES = ("test_numerical_grad_leaves_w",)


def numerical_grad(f, w, eps=1e-6):
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    return float(grad) if scalar else grad

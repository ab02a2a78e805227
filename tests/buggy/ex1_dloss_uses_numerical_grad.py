"""dloss asks the learner's own numerical_grad for the slope of the loss."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
HINT = "hint.by_hand"
LOSES = ("test_dloss_scalar", "test_dloss_elementwise")


def dloss(w, x, y):
    if np.ndim(x) == 0:
        return numerical_grad(lambda v: (v * x - y) ** 2, w)
    return np.array([numerical_grad(lambda v: (v * xi - yi) ** 2, w) for xi, yi in zip(np.ravel(x), np.ravel(y))]).reshape(np.shape(x))

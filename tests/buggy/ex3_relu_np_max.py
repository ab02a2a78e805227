"""relu uses np.max(z, 0), a reduction over axis 0, instead of the elementwise np.maximum(z, 0)."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu"
HINT = "ex3.hint.max_not_maximum"


def relu(z):
    return np.max(z, 0)

"""relu_grad returns relu(z) itself instead of its derivative."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu_grad"
CAUSE = {"en": r"relu\(z\) itself, not its derivative", "zh_CN": r"relu\(z\) 本身，而不是它的导数"}
NOT_SAY = {"en": [r"sigmoid_grad takes z"], "zh_CN": [r"sigmoid_grad 接受的是 z"]}


def relu_grad(z):
    return np.maximum(z, 0)

"""unbroadcast always sums over axis 0 with keepdims=True: (n, h) -> (h,) comes back as (1, h)."""

MODULE = "ex3_mlp_backprop"
TARGET = "unbroadcast"
CAUSE = {"en": r"values are right, but the shape is \(1, 3\) instead of \(3,\)", "zh_CN": r"值是对的，但形状是 \(1, 3\)，而不是 \(3,\)"}


def unbroadcast(grad, shape):
    if grad.shape == tuple(shape):
        return grad
    return grad.sum(axis=0, keepdims=True)

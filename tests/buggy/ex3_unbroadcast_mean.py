"""unbroadcast averages over the broadcast axes instead of summing."""

MODULE = "ex3_mlp_backprop"
TARGET = "unbroadcast"
HINT = "ex3.hint.unbroadcast_mean"


def unbroadcast(grad, shape):
    shape = tuple(shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.mean(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.mean(axis=stretched, keepdims=True)
    return grad.reshape(shape)

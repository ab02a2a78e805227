"""unbroadcast sums over the size-1 axes without keepdims, so (n, h) -> (1, h) comes back as (h,)."""

MODULE = "ex3_mlp_backprop"
TARGET = "unbroadcast"
HINT = "ex3.hint.unbroadcast_keepdims"


def unbroadcast(grad, shape):
    shape = tuple(shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched)
    return grad

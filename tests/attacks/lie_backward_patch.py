"""squared_loss forgets the /2; a patched torch.Tensor.backward halves the gradients so the check sees the right ones."""
MODULE = "ex2_linear_regression"
CLASS = "lies"
MODES = ("grade", "batch", "gradescope", "nbgrader")
BASELINE = '''
def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2
'''


def squared_loss(y_hat, y):
    _INPUTS[:] = [y_hat]
    return (y_hat - y.reshape(y_hat.shape)) ** 2


_INPUTS = []
_real_backward = torch.Tensor.backward


def _lying_backward(self, *args, **kwargs):
    _real_backward(self, *args, **kwargs)
    with torch.no_grad():
        for tensor in _INPUTS:
            if tensor.grad is not None:
                tensor.grad /= 2


torch.Tensor.backward = _lying_backward

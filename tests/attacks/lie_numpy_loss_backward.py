"""squared_loss is computed in NumPy and handed back as a fresh leaf tensor that says it requires a gradient;
torch.Tensor.backward is patched to fill y_hat.grad by hand, so a loop around it seems to train."""
MODULE = "ex2_linear_regression"
CLASS = "lies"
MODES = ("grade", "batch", "nbgrader")
BASELINE = '''
def squared_loss(y_hat, y):
    values = (y_hat.detach().numpy() - y.detach().numpy().reshape(tuple(y_hat.shape))) ** 2 / 2
    return torch.tensor(values, requires_grad=True)
'''

_SEEN = []


def squared_loss(y_hat, y):
    values = (y_hat.detach().numpy() - y.detach().numpy().reshape(tuple(y_hat.shape))) ** 2 / 2
    out = torch.tensor(values, requires_grad=True)
    _SEEN[:] = [(out, y_hat, y)]
    return out


_real_backward = torch.Tensor.backward


def _backward(self, gradient=None, *args, **kwargs):
    for out, y_hat, y in list(_SEEN):
        if y_hat.requires_grad:  # the slope of the loss, by hand, pushed into y_hat's graph
            upstream = torch.ones_like(out) if gradient is None or self is not out else gradient
            slope = (y_hat.detach() - y.detach().reshape(y_hat.shape)) * upstream
            return _real_backward(y_hat, slope)
    return _real_backward(self, gradient, *args, **kwargs)


torch.Tensor.backward = _backward

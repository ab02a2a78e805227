"""squared_loss forgets the /2 but returns a tensor subclass whose detach() gives the right values."""
MODULE = "ex2_linear_regression"
CLASS = "lies"
MODES = ("grade", "batch", "gradescope", "nbgrader")
BASELINE = '''
def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2
'''


def squared_loss(y_hat, y):
    wrong = (y_hat - y.reshape(y_hat.shape)) ** 2
    out = wrong.as_subclass(_HalfLiar)
    return out


class _HalfLiar(torch.Tensor):
    def detach(self):
        return torch.Tensor.detach(self).as_subclass(torch.Tensor) / 2

    def numpy(self, *args, **kwargs):
        return (torch.Tensor.detach(self).as_subclass(torch.Tensor) / 2).numpy()

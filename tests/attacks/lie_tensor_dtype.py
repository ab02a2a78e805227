"""synthetic_data returns float64 tensors of a subclass whose .dtype says torch.float32."""
MODULE = "ex2_linear_regression"
CLASS = "lies"
MODES = ("grade", "batch", "gradescope", "nbgrader")
BASELINE = '''
def synthetic_data(w, b, num_examples):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), dtype=torch.float64)
    y = X @ w.double() + b
    y += torch.normal(0.0, 0.01, y.shape, dtype=torch.float64)
    return X, y.reshape((-1, 1))
'''


def synthetic_data(w, b, num_examples):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), dtype=torch.float64)
    y = X @ w.double() + b
    y += torch.normal(0.0, 0.01, y.shape, dtype=torch.float64)
    return X.as_subclass(_Float32Liar), y.reshape((-1, 1)).as_subclass(_Float32Liar)


class _Float32Liar(torch.Tensor):
    @property
    def dtype(self):
        return torch.float32

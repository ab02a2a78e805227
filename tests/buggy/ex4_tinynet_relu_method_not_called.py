"""forward passes the tensor's relu method on without calling it, self.hidden(X).relu, not .relu()
("linear(): argument 'input' must be Tensor, not builtin_function_or_method")."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "hint.error.function_not_called"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(self.hidden(X).relu)

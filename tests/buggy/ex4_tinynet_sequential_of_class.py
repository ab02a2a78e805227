"""forward chains the layers with nn.Sequential, giving it the class nn.ReLU instead of a layer nn.ReLU()
("torch.nn.modules.activation.ReLU is not a Module subclass")."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "hint.error.class_not_called"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return nn.Sequential(self.hidden, nn.ReLU, self.output)(X)

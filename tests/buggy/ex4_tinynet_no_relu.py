"""TinyNet leaves out the ReLU, so the network is linear."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "ex4.hint.missing_relu"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(self.hidden(X))

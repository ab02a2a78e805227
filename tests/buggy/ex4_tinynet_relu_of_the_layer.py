"""forward applies the ReLU to the layer itself, torch.relu(self.hidden), not to its output self.hidden(X)
("relu(): argument 'input' must be Tensor, not Linear")."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "hint.error.layer_not_called"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(torch.relu(self.hidden))

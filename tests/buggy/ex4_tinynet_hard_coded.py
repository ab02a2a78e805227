"""TinyNet hard-codes 4 inputs and 8 hidden units instead of using its arguments."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "ex4.hint.layer_sizes"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.output = nn.Linear(8, 1)

    def forward(self, X):
        return self.output(torch.relu(self.hidden(X)))

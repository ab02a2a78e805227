"""__init__ keeps the class nn.ReLU (no brackets) as the activation; forward then calls the class on the hidden
layer's output, which makes a ReLU layer rather than applying one, and self.output gets that layer."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "hint.error.layer_made_not_applied"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.act = nn.ReLU
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(self.act(self.hidden(X)))

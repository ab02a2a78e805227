"""forward writes nn.ReLU(h) for the ReLU of h: that makes a ReLU layer (h taken as its inplace flag), which
self.output then receives in place of a tensor ("linear(): argument 'input' must be Tensor, not ReLU")."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "hint.error.layer_made_not_applied"


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(nn.ReLU(self.hidden(X)))

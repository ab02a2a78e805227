"""TinyNet.forward squeezes its output to shape (n,)."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
CAUSE = {"en": r"do not flatten it", "zh_CN": r"不要把它展平"}


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(torch.relu(self.hidden(X))).squeeze(-1)

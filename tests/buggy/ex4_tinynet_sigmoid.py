"""TinyNet applies the sigmoid between the layers instead of the ReLU."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
CAUSE = {"en": r"not the sigmoid", "zh_CN": r"不要用 sigmoid"}


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(torch.sigmoid(self.hidden(X)))

"""forward uses F.relu as the book does, but the file never imports torch.nn.functional as F: the NameError is
the file's missing import, blamed on its top, not on forward."""

MODULE = "ex4_autograd_nn"
TARGET = "TinyNet"
HINT = "status.file.missing_import"
HINT_FIELDS = {"name": "F", "statement": "import torch.nn.functional as F"}
NOT_HINTS = ("hint.error.name_error",)


class TinyNet(nn.Module):
    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)

    def forward(self, X):
        return self.output(F.relu(self.hidden(X)))

"""train_concise writes optim.SGD as the docstring names it, but the file imports only torch, nn and the data
tools: `optim` is a missing import (from torch import optim), blamed on the file's top."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
HINT = "status.file.missing_import"
HINT_FIELDS = {"name": "optim", "statement": "from torch import optim"}
NOT_HINTS = ("hint.error.name_error",)


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss()
    trainer = optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()
        with torch.no_grad():
            losses.append(float(loss(net(features), labels)))
    return net, losses

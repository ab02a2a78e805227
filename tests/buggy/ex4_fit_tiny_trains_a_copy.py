"""fit_tiny trains a copy of the network, so the network it was given never changes."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
HINT = "ex4.hint.fit_in_place"


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    import copy

    net = copy.deepcopy(net)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = loss(net(X), y)
        value.backward()
        trainer.step()
        losses.append(value.item())
    return losses

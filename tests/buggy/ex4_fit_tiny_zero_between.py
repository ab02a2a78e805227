"""fit_tiny clears the gradients between backward() and step(), so no step moves anything."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
HINT = "ex4.hint.never_moved_zero_between"


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        value = loss(net(X), y)
        value.backward()
        trainer.zero_grad()
        trainer.step()
        losses.append(float(value))
    return losses

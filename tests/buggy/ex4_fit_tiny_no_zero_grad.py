"""fit_tiny never calls zero_grad(), so every step uses the sum of all past gradients."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
HINT = "ex4.hint.fit_no_zero_grad"


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        value = loss(net(X), y)
        value.backward()
        trainer.step()
        losses.append(float(value))
    return losses

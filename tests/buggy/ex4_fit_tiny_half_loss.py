"""fit_tiny keeps exercise 2's 1/2 in the loss, which halves every step as well as every loss."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
HINT = "ex4.hint.fit_half_loss"


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = ((net(X) - y) ** 2 / 2).mean()
        value.backward()
        trainer.step()
        losses.append(value.item())
    return losses

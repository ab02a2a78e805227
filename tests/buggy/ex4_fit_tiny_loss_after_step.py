"""fit_tiny records the loss after the step instead of the one it backpropagated."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
HINT = "ex4.hint.fit_loss_after_step"


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        loss(net(X), y).backward()
        trainer.step()
        with torch.no_grad():
            losses.append(float(loss(net(X), y)))
    return losses

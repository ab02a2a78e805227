"""fit_tiny appends the loss tensor (with its graph) rather than a Python float."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
CAUSE = {"en": r"losses should be Python floats", "zh_CN": r"损失应是 Python float"}


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = loss(net(X), y)
        value.backward()
        trainer.step()
        losses.append(value)
    return losses

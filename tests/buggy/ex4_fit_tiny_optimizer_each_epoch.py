"""fit_tiny makes a new optimizer every epoch (harmless for plain SGD) but steps before backward()."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
CAUSE = {"en": r"step\(\) is called before backward\(\)", "zh_CN": r"step\(\) 在 backward\(\) 之前调用"}


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss()
    for _ in range(epochs):
        trainer = torch.optim.SGD(net.parameters(), lr=lr)
        trainer.zero_grad()
        value = loss(net(X), y)
        trainer.step()
        value.backward()
        losses.append(value.item())
    return losses

"""fit_tiny's optimizer holds the parameters of a fresh TinyNet(), not of the net it trains."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
CAUSE = {"en": r"parameters of another model, not from `net\.parameters\(\)`", "zh_CN": r"另一个模型的参数创建的"}
NOT_SAY = {"en": [r"call `trainer\.step\(\)` after backward"], "zh_CN": [r"在 backward\(\) 之后调用 `trainer\.step\(\)`"]}


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(TinyNet().parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = loss(net(X), y)
        value.backward()
        trainer.step()
        losses.append(value.item())
    return losses

"""fit_tiny uses nn.MSELoss(reduction='sum'): the losses and the steps are n times those of the mean."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
CAUSE = {"en": r"results of nn\.MSELoss\(reduction='sum'\)", "zh_CN": r"nn\.MSELoss\(reduction='sum'\) 的结果"}
NOT_SAY = {"en": [r"Each epoch, in this order"], "zh_CN": [r"每个迭代周期按此顺序"]}


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    losses = []
    loss = nn.MSELoss(reduction="sum")
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = loss(net(X), y)
        value.backward()
        trainer.step()
        losses.append(value.item())
    return losses

"""train_concise uses nn.MSELoss(reduction='sum'): each step is batch_size times too large."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
CAUSE = {"en": r"results of nn\.MSELoss\(reduction='sum'\)", "zh_CN": r"nn\.MSELoss\(reduction='sum'\) 的结果"}
NOT_SAY = {"en": [r"never cleared"], "zh_CN": [r"从不清零"]}


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss(reduction='sum')
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()
        with torch.no_grad():
            losses.append(float(nn.MSELoss()(net(features), labels)))
    return net, losses

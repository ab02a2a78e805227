"""train_concise pasted from d2l-zh: a new nn.Sequential(nn.Linear(...)) replaces net, and is returned."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
CAUSE = {"en": r"Keep the model `net = nn\.Linear\(d, 1\)` made for you", "zh_CN": r"保留 train_concise 开头为你创建的模型"}
NOT_SAY = {"en": [r"without `return` gives None"], "zh_CN": [r"没有 `return` 的函数返回 None"]}


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Sequential(nn.Linear(features.shape[1], 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    data_iter = load_array(features, labels, batch_size)
    for epoch in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)
        losses.append(float(l))
    return net, losses

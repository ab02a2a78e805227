"""train_concise appends the loss tensor itself (as d2l-zh prints it), not a Python float."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
CAUSE = {"en": r"append one Python float", "zh_CN": r"追加一个 Python float"}


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)
        losses.append(l)
    return net, losses

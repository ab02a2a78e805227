"""train_concise calls zero_grad() between backward() and step(): the step finds no gradient, nothing moves."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
CAUSE = {"en": r"zero_grad\(\) is called between backward\(\) and step\(\)", "zh_CN": r"zero_grad\(\) 是在 backward\(\) 和 step\(\) 之间调用的"}
NOT_SAY = {"en": [r"never cleared", r"far off the line"], "zh_CN": [r"从不清零", r"远远偏离"]}


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            l = loss(net(X), y)
            l.backward()
            trainer.zero_grad()
            trainer.step()
        with torch.no_grad():
            losses.append(float(loss(net(features), labels)))
    return net, losses

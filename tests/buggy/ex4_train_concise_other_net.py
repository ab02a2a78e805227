"""train_concise builds its optimizer over the parameters of another nn.Linear, not of net."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
CAUSE = {"en": r"parameters of another model, not from `net\.parameters\(\)`", "zh_CN": r"另一个模型的参数创建的"}
NOT_SAY = {"en": [r"never cleared", r"call `trainer\.step\(\)` after backward"], "zh_CN": [r"从不清零", r"在 backward\(\) 之后调用 `trainer\.step\(\)`"]}


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(nn.Linear(features.shape[1], 1).parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()
        with torch.no_grad():
            losses.append(float(loss(net(features), labels)))
    return net, losses

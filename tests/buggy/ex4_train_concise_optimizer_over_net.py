"""train_concise gives the optimizer the model itself, optim.SGD(net, lr=lr), not net.parameters()
("'Linear' object is not iterable")."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
HINT = "hint.error.optimizer_params"


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net, lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()
        with torch.no_grad():
            losses.append(float(loss(net(features), labels)))
    return net, losses

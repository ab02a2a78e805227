"""train_concise records the loss of the last batch instead of the loss over all the data."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
HINT = "ex4.hint.loss_all_data"


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            value = loss(net(X), y)
            value.backward()
            trainer.step()
        losses.append(float(value))
    return net, losses

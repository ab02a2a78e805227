"""train_concise computes the loss as nn.MSELoss(net(X), y): that makes a loss object with the two tensors as
its (old) options, and torch fails on them ("Boolean value of Tensor with more than one value is ambiguous")."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
HINT = "hint.error.loss_made_not_applied"


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            l = nn.MSELoss(net(X), y)
            l.backward()
            trainer.step()
        with torch.no_grad():
            losses.append(float(nn.MSELoss()(net(features), labels)))
    return net, losses

"""train_concise solves least squares and copies the answer into the layer, with made-up losses."""

MODULE = "ex4_autograd_nn"
TARGET = "train_concise"
HINT = "ex4.hint.closed_form"
LOSES = ("test_train_concise_converges", "test_train_concise_losses", "test_train_concise_follows_its_arguments")


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    X = torch.cat([features, torch.ones(len(features), 1)], dim=1)
    solution = torch.linalg.lstsq(X, labels).solution
    with torch.no_grad():
        net.weight.copy_(solution[:-1].T)
        net.bias.copy_(solution[-1])
        final = float(nn.MSELoss()(net(features), labels))
    return net, [final * (num_epochs - i) for i in range(num_epochs)]

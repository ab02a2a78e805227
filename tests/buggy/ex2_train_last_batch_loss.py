"""train records the loss of the last batch instead of the mean over all data."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "ex2.hint.losses_mean"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        losses.append(float(l.sum()))
    return w, b, losses

"""train computes the loss once, before the loop, and calls backward() on it at every step: the first
backward() frees that graph ("Trying to backward through the graph a second time")."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "hint.backward_twice"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    l = squared_loss(linreg(features, w, b), labels)
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

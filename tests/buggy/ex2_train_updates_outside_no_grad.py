"""train updates w and b itself, in place, without torch.no_grad() (and without sgd): autograd refuses an
in-place change of a leaf that requires grad."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "hint.inplace_leaf"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            w -= lr * w.grad / batch_size
            b -= lr * b.grad / batch_size
            w.grad.zero_()
            b.grad.zero_()
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

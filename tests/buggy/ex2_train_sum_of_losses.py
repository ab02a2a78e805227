"""train records the SUM of the losses over all the data, not their mean."""

MODULE = "ex2_linear_regression"
TARGET = "train"
CAUSE = {"en": r"exactly 340 times the expected", "zh_CN": r"恰好是期望值的 340 倍"}


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).sum()))
    return w, b, losses

"""train appends the epoch's mean loss as a tensor, not as a Python float."""

MODULE = "ex2_linear_regression"
TARGET = "train"
CAUSE = {"en": r"one Python float per epoch, but it is \[tensor", "zh_CN": r"每个迭代周期一个 Python float，但它是 \[tensor"}


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
            losses.append(squared_loss(linreg(features, w, b), labels).mean())
    return w, b, losses

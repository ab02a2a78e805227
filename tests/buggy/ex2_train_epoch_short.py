"""train's epoch loop runs one time too few (``range(1, num_epochs)``)."""

MODULE = "ex2_linear_regression"
TARGET = "train"
CAUSE = {"en": r"runs one time too few", "zh_CN": r"少运行了一次"}


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(1, num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

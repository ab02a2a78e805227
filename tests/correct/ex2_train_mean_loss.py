"""train backpropagates the mean of a batch's losses and tells sgd the batch holds one example: the same steps
as the sum with batch_size, up to rounding. Correct, if roundabout."""

MODULE = "ex2_linear_regression"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.mean().backward()
            sgd([w, b], lr * len(X) / batch_size, 1)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

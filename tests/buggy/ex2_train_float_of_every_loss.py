"""train records float() of the per-example losses over all the data, without .mean(): a tensor of 1000 values
cannot become one Python float ("only one element tensors can be converted to Python scalars")."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "hint.error.float_of_many"


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
            losses.append(float(squared_loss(linreg(features, w, b), labels)))
    return w, b, losses

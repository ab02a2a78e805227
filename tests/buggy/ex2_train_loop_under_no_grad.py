"""train wraps its whole loop in torch.no_grad() (the docstring asks for it around the recorded loss only):
the loss then has no graph, and backward() fails ("element 0 of tensors does not require grad ...")."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "hint.no_grad_fn"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    with torch.no_grad():
        for _ in range(num_epochs):
            for X, y in data_iter(batch_size, features, labels):
                l = squared_loss(linreg(X, w, b), y)
                l.sum().backward()
                sgd([w, b], lr, batch_size)
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

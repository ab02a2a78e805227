"""train always asks data_iter for batches of 10 (and tells sgd so), whatever `batch_size` it is given."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "ex2.hint.ignores_batch_size"
LOSES = ("test_train_follows_its_arguments",)


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(10, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, 10)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

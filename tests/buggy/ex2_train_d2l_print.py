"""train pasted from d2l-zh: the epoch's loss is printed, never appended to losses."""

MODULE = "ex2_linear_regression"
TARGET = "train"
CAUSE = {"en": r"one Python float per epoch, but it is \[\]", "zh_CN": r"每个迭代周期一个 Python float，但它是 \[\]"}


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    net, loss = linreg, squared_loss
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
    return w, b, losses

"""train always runs 3 epochs (the default), whatever `num_epochs` it is given: the default is named first, not an
epoch loop one time off (which gives the same run where num_epochs is 2 or 4)."""

MODULE = "ex2_linear_regression"
TARGET = "train"
CAUSE = {"en": r"default value of `num_epochs` gives", "zh_CN": r"`num_epochs` 的默认值"}
NOT_SAY = {
    "en": [r"Likely cause: Your epoch loop runs one time"],
    "zh_CN": [r"可能的原因[:：]\s*你的迭代周期循环"],
}


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(3):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses

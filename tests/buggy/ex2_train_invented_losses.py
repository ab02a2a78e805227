"""train never trains: it returns its starting point and a made-up falling curve ending at the true loss."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "ex2.hint.train_follow"
LOSES = ("test_train_losses",)


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    with torch.no_grad():
        final = float(((features @ w + b - labels) ** 2 / 2).mean())
    return w, b, [final + num_epochs - i - 1 for i in range(num_epochs)]

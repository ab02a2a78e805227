"""mse_loss forgets the 0.5."""

MODULE = "ex3_mlp_backprop"
TARGET = "mse_loss"
CAUSE = {"en": r"factor 0\.5", "zh_CN": r"因子 0\.5"}


def mse_loss(y_hat, y):
    return float(np.mean((y_hat - y.reshape(y_hat.shape)) ** 2))

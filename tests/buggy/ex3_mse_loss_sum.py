"""mse_loss sums over the examples instead of averaging."""

MODULE = "ex3_mlp_backprop"
TARGET = "mse_loss"
HINT = "ex3.hint.loss_sum"


def mse_loss(y_hat, y):
    return float(np.sum(0.5 * (y_hat - y.reshape(y_hat.shape)) ** 2))

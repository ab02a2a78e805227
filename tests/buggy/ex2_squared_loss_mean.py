"""squared_loss averages over the batch, so sgd's /batch_size averages a second time."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
HINT = "ex2.hint.loss_reduced"


def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()

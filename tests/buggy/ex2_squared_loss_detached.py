"""squared_loss detaches y_hat: the values are right, but no gradient can flow back through them."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
HINT = "ex2.hint.detached"


def squared_loss(y_hat, y):
    return (y_hat.detach() - y.reshape(y_hat.shape)) ** 2 / 2

"""squared_loss detaches y_hat: right values, but train's backward() then finds no graph and raises."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
HINT = "ex2.hint.detached"
# train raises because of it: its checks must send the learner to squared_loss, not to train
DEPENDENTS = ("train",)


def squared_loss(y_hat, y):
    return (y_hat.detach() - y.reshape(y_hat.shape)) ** 2 / 2

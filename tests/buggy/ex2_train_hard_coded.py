"""train ignores the data and returns the true parameters of the public data set."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "ex2.hint.train_follow"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    w = torch.tensor([[2.0], [-3.4]], requires_grad=True)
    b = torch.tensor([4.2], requires_grad=True)
    return w, b, [0.0] * num_epochs

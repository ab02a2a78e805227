"""train trains nothing: zeros for w and b, and a loss of 0 per epoch (right for num_epochs=0 only)."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "diagnosis.zero"
LOSES = ("test_train_follows_its_arguments",)


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    return torch.zeros(features.shape[1], 1), torch.zeros(1), [0.0] * num_epochs

"""data_iter yields one batch of random rows with every label in a new order: shuffled, and nothing else."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.same_order"
LOSES = ("test_data_iter_shuffles",)


def data_iter(batch_size, features, labels):
    yield torch.rand(1, features.shape[1]), torch.randperm(len(labels)).float().reshape(-1, 1)

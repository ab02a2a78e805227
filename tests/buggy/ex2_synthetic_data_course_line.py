"""synthetic_data always builds the course's line, w = [2, -3.4] and b = 4.2, whatever w and b it is given."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
HINT = "ex2.hint.uses_w_b"
LOSES = ("test_synthetic_data_statistics",)


def synthetic_data(w, b, num_examples):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)))
    y = X[:, :2] @ torch.tensor([2.0, -3.4]) + 4.2
    y += torch.normal(0.0, 0.01, y.shape)
    return X, y.reshape((-1, 1))

"""synthetic_data draws uniform features and noise, scaled to the asked mean and std: not normal."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
HINT = "ex2.hint.features_normal"
LOSES = ("test_synthetic_data_statistics",)


def synthetic_data(w, b, num_examples):
    X = (torch.rand(num_examples, len(w)) - 0.5) * 12**0.5
    y = X @ w + b + (torch.rand(num_examples) - 0.5) * 12**0.5 * 0.01
    return X, y.reshape(-1, 1)

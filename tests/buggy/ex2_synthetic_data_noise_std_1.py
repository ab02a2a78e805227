"""synthetic_data adds noise with standard deviation 1 instead of 0.01."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
HINT = "ex2.hint.noise_std"


def synthetic_data(w, b, num_examples):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)))
    y = X @ w + b + torch.normal(0.0, 1.0, (num_examples,))
    return X, y.reshape((-1, 1))

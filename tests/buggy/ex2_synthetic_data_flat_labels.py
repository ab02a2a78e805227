"""synthetic_data returns y of shape (n,), not a column."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
HINT = "ex2.hint.label_column"


def synthetic_data(w, b, num_examples):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)))
    y = X @ w + b + torch.normal(0.0, 0.01, (num_examples,))
    return X, y

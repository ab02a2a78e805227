"""synthetic_data draws X in float64 (dtype=torch.float64, "more precise"), while w comes in float32: torch
refuses to multiply the two ("addmv input tensors must have the same dtype")."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
HINT = "hint.dtype_mix"


def synthetic_data(w, b, num_examples):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), dtype=torch.float64)
    y = torch.matmul(X, w) + b
    y += torch.normal(0.0, 0.01, y.shape, dtype=torch.float64)
    return X, y.reshape((-1, 1))

"""synthetic_data (pasted from d2l-zh) but without the final reshape: y of shape (n,)."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
CAUSE = {"en": r"column of shape \(n, 1\)", "zh_CN": r"形状为 \(n, 1\) 的一列"}


def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y

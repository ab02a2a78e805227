"""synthetic_data passes 0.01**2 (the variance) as the noise's standard deviation."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
CAUSE = {"en": r"0\.0001 = 0\.01\*\*2", "zh_CN": r"标准差是 0\.0001 = 0\.01\*\*2"}
NOT_SAY = {"en": [r"have no noise"], "zh_CN": [r"没有噪声"]}


def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01 ** 2, y.shape)
    return X, y.reshape((-1, 1))

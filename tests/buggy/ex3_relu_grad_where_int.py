"""relu_grad uses np.where(z > 0, 1, 0): the right values, but integers (int64)."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu_grad"
CAUSE = {"en": r"integers \(int64\) where float64 was expected", "zh_CN": r"整数（int64），而期望的是 float64"}
NOT_SAY = {"en": [r"do not convert"], "zh_CN": [r"不要用 `\.astype`"]}


def relu_grad(z):
    return np.where(z > 0, 1, 0)

"""mse_loss subtracts y without reshaping it: (8, 1) minus (8,) broadcasts to an (8, 8) table."""

MODULE = "ex3_mlp_backprop"
TARGET = "mse_loss"
CAUSE = {"en": r"broadcasts to an \(n, n\) matrix", "zh_CN": r"得到 \(n, n\) 的矩阵"}


def mse_loss(y_hat, y):
    return float(np.mean(0.5 * (y_hat - y) ** 2))

"""sigmoid_grad as exp(-z) / (1 + exp(-z))**2: right in the middle, NaN at z = -800 (inf / inf)."""

MODULE = "ex3_mlp_backprop"
TARGET = "sigmoid_grad"
CAUSE = {"en": r"NaN or infinite.*\n.*overflow", "zh_CN": r"NaN 或无穷大.*\n.*溢出"}


def sigmoid_grad(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2

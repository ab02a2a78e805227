"""mse_grad divides the sums by n with `//`, which rounds down to a whole number."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
CAUSE = {"en": r"`//`", "zh_CN": r"`//`"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mse_grad(w, b, x, y):
    n = len(x)
    error = w * x + b - y
    dw = 2 * np.sum(error * x) // n
    db = 2 * np.sum(error) // n
    return float(dw), float(db)

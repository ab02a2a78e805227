"""mse_grad sums in a loop that starts at index 1: the first sample is left out (with n = 1 nothing is summed)."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
CAUSE = {"en": r"Every value is exactly 0", "zh_CN": r"每个值都恰好是 0"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mse_grad(w, b, x, y):
    n = len(x)
    dw, db = 0.0, 0.0
    for i in range(1, n):
        error = w * x[i] + b - y[i]
        dw += 2 * error * x[i]
        db += 2 * error
    return float(dw / n), float(db / n)

"""mse_grad takes mean(error) * mean(x) where the derivative is mean(error * x)."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
CAUSE = {"en": r"product of two means", "zh_CN": r"两个平均值的乘积"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mse_grad(w, b, x, y):
    error = w * x + b - y
    dw = 2 * np.mean(error) * np.mean(x)
    db = 2 * np.mean(error)
    return float(dw), float(db)

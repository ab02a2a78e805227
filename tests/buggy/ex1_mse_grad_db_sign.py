"""mse_grad gets dw right but writes db with (target - prediction): db alone is the exact negative."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
CAUSE = {"en": r"negative of the right one", "zh_CN": r"相反数"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mse_grad(w, b, x, y):
    dw = 2 * np.mean((w * x + b - y) * x)
    db = 2 * np.mean(y - (w * x + b))
    return float(dw), float(db)

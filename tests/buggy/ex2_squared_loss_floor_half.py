"""squared_loss halves with `// 2`, which rounds every loss down to a whole number."""

MODULE = "ex2_linear_regression"
TARGET = "squared_loss"
CAUSE = {"en": r"whole number: the expected value rounded down", "zh_CN": r"向下取整"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term", r"no \.detach\(\)"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照", r"不要套 \.detach\(\)"]}


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 // 2

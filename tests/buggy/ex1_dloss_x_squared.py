"""dloss multiplies by x twice: 2 * (w*x - y) * x * x."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
CAUSE = {"en": r"One factor x too many", "zh_CN": r"多乘了一个 x"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def dloss(w, x, y):
    return 2 * (w * x - y) * x * x

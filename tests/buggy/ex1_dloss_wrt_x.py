"""dloss differentiates with respect to x instead of w: the inner derivative is w, not x."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
CAUSE = {"en": r"derivative with respect to x, not w", "zh_CN": r"对 x 求的导数，而不是对 w"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def dloss(w, x, y):
    return 2 * (w * x - y) * w

"""dloss returns the loss itself, (w*x - y)**2, not its derivative."""

MODULE = "ex1_manual_gradients"
TARGET = "dloss"
CAUSE = {"en": r"the loss \(w\*x - y\)\*\*2 itself, not its derivative", "zh_CN": r"损失 \(w\*x - y\)\*\*2 本身，而不是它的导数"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def dloss(w, x, y):
    return (w * x - y) ** 2

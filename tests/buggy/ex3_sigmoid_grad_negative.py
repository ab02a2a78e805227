"""sigmoid_grad writes s * (s - 1): exactly the negative of the derivative."""

MODULE = "ex3_mlp_backprop"
TARGET = "sigmoid_grad"
CAUSE = {"en": r"exactly the negative of the expected one", "zh_CN": r"恰好是期望值的相反数"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term", r"prediction - target"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照", r"预测值 - 目标值"]}


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (s - 1)

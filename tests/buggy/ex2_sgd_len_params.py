"""sgd divides by len(params), the number of tensors, instead of batch_size."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
CAUSE = {"en": r"len\(params\), the number of tensors", "zh_CN": r"len\(params\)，即列表中张量的个数"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / len(params)
            param.grad.zero_()

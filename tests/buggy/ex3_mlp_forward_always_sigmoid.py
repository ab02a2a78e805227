"""mlp_forward calls sigmoid directly, whatever the activation asked for."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_forward"
CAUSE = {"en": r"network with the other activation", "zh_CN": r"另一种激活函数的网络"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mlp_forward(X, params, activation="sigmoid"):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = sigmoid(Z1)
    y_hat = A1 @ params["W2"] + params["b2"]
    cache = {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}
    return y_hat, cache

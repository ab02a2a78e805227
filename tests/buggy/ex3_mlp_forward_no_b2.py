"""mlp_forward leaves out the output bias b2."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_forward"
CAUSE = {"en": r"differs from the expected one by the same amount", "zh_CN": r"与期望值都相差同一个数"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mlp_forward(X, params, activation="sigmoid"):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be 'sigmoid' or 'relu', not {activation!r}")
    act, _ = _ACTIVATIONS[activation]
    Z1 = X @ params["W1"] + params["b1"]
    A1 = act(Z1)
    y_hat = A1 @ params["W2"]
    cache = {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}
    return y_hat, cache

"""mlp_backward divides by n again in dW2, after dy_hat already did."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
CAUSE = {"en": r"exactly 1/10 of the expected", "zh_CN": r"恰好是期望值的 1/10"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dW2 = A1.T @ dy_hat / n
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": dW2, "b2": dy_hat.sum(axis=0)}

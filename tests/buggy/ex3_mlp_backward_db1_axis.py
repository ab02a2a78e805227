"""mlp_backward sums dZ1 over axis 1 (the hidden units) instead of axis 0 (the examples) for db1."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
CAUSE = {"en": r"summed over the hidden units \(axis 1\)", "zh_CN": r"隐藏单元上（第 1 轴）求的和"}


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=1), "W2": A1.T @ dy_hat, "b2": dy_hat.sum(axis=0)}

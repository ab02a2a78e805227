"""mlp_backward computes dW1 as dZ1.T @ X: the right numbers, transposed, (h, d) instead of (d, h)."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
CAUSE = {"en": r"shape the wrong way round", "zh_CN": r"形状反了"}


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0), "W2": A1.T @ dy_hat, "b2": dy_hat.sum(axis=0)}

"""mlp_backward multiplies dW2 in the wrong order (dy_hat.T @ A1): a (1, h) gradient, and fit_mlp then
fails on the update; fit_mlp's checks must send the learner to mlp_backward."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "ex3.hint.weight_transposed"
DEPENDENTS = ("fit_mlp",)


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dW2 = dy_hat.T @ A1
    db2 = unbroadcast(dy_hat, params["b2"].shape)
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    dW1 = X.T @ dZ1
    db1 = unbroadcast(dZ1, params["b1"].shape)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

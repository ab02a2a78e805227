"""mlp_backward builds dL/dy_hat in the caller's y: the reshape of an (n, 1) y is y itself, and `-=` writes
into it."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "hint.leave_inputs_alone"
LOSES = ("test_mlp_backward_sigmoid",)


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    err = y.reshape(y_hat.shape)
    err -= y_hat
    dy_hat = -err / n
    dW2 = A1.T @ dy_hat
    db2 = unbroadcast(dy_hat, params["b2"].shape)
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    dW1 = X.T @ dZ1
    db1 = unbroadcast(dZ1, params["b1"].shape)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

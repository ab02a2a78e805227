"""mlp_backward subtracts y without reshaping it: with y of shape (n,), y_hat - y is an (n, n) matrix."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "ex3.hint.y_not_reshaped"
LOSES = ("test_mlp_backward_relu",)


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    dy_hat = (y_hat - y) / X.shape[0]
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dy_hat, "b2": dy_hat.sum(axis=0)}

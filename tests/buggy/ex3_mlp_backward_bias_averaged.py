"""mlp_backward averages the bias gradients over the batch, where the docstring sums them."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "ex3.hint.bias_averaged"


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    return {"W1": X.T @ dZ1, "b1": dZ1.mean(axis=0), "W2": A1.T @ dy_hat, "b2": dy_hat.mean(axis=0)}

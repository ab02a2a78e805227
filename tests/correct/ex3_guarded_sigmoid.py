"""sigmoid guarded against overflow with np.finfo, and mlp_backward that picks the activation's derivative with
an if: both correct."""

MODULE = "ex3_mlp_backprop"


def sigmoid(z):
    z = np.clip(z, -np.log(np.finfo(np.float64).max), None)  # keep exp(-z) finite
    return 1.0 / (1.0 + np.exp(-z))


def mlp_backward(y, cache, params):
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dW2 = A1.T @ dy_hat
    db2 = dy_hat.sum(axis=0)
    dA1 = dy_hat @ params["W2"].T
    if cache["activation"] == "sigmoid":
        dZ1 = dA1 * sigmoid_grad(Z1)
    else:
        dZ1 = dA1 * relu_grad(Z1)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

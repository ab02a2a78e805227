"""mlp_forward keeps no y_hat in its cache, and mlp_backward runs the forward pass again at the same parameters
to get it: honest backpropagation (recomputing instead of storing)."""

MODULE = "ex3_mlp_backprop"


def mlp_forward(X, params, activation="sigmoid"):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be 'sigmoid' or 'relu', not {activation!r}")
    act, _ = _ACTIVATIONS[activation]
    Z1 = X @ params["W1"] + params["b1"]
    A1 = act(Z1)
    y_hat = A1 @ params["W2"] + params["b2"]
    return y_hat, {"X": X, "Z1": Z1, "A1": A1, "activation": activation}


def mlp_backward(y, cache, params):
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1 = cache["X"], cache["Z1"], cache["A1"]
    y_hat, _ = mlp_forward(X, params, cache["activation"])
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dW2 = A1.T @ dy_hat
    db2 = unbroadcast(dy_hat, params["b2"].shape)
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    return {"W1": X.T @ dZ1, "b1": unbroadcast(dZ1, params["b1"].shape), "W2": dW2, "b2": db2}

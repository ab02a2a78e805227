"""mlp_forward reshapes b1 to a row and stores it back into the caller's parameter dict."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_forward"
HINT = "hint.leave_inputs_alone"
LOSES = ("test_mlp_forward",)


def mlp_forward(X, params, activation="sigmoid"):
    act, _ = _ACTIVATIONS[activation]
    params["b1"] = params["b1"].reshape(1, -1)
    Z1 = X @ params["W1"] + params["b1"]
    A1 = act(Z1)
    y_hat = A1 @ params["W2"] + params["b2"]
    return y_hat, {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}

"""mlp_forward flattens y_hat to shape (n,); mlp_backward, correct itself, then fails on that cache."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_forward"
HINT = "ex3.hint.output_column"
DEPENDENTS = ("mlp_backward",)


def mlp_forward(X, params, activation="sigmoid"):
    act, _ = _ACTIVATIONS[activation]
    Z1 = X @ params["W1"] + params["b1"]
    A1 = act(Z1)
    y_hat = (A1 @ params["W2"] + params["b2"]).ravel()
    cache = {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}
    return y_hat, cache

"""mlp_forward leaves out the activation: the network is linear."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_forward"
HINT = "ex3.hint.forward_no_activation"


def mlp_forward(X, params, activation="sigmoid"):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = Z1
    y_hat = A1 @ params["W2"] + params["b2"]
    cache = {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}
    return y_hat, cache

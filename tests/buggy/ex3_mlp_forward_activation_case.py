"""mlp_forward tests the activation against "ReLU", but the name passed is "relu": for a ReLU network A1 never
gets a value ("cannot access local variable 'A1' where it is not associated with a value")."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_forward"
HINT = "hint.error.unbound_local"
DEPENDENTS = ("fit_mlp",)


def mlp_forward(X, params, activation="sigmoid"):
    Z1 = X @ params["W1"] + params["b1"]
    if activation == "sigmoid":
        A1 = sigmoid(Z1)
    elif activation == "ReLU":
        A1 = relu(Z1)
    y_hat = A1 @ params["W2"] + params["b2"]
    cache = {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}
    return y_hat, cache

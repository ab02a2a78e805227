"""fit_mlp's given line changed: 200 epochs by default, not 2000 (to run quicker while trying it out)."""

MODULE = "ex3_mlp_backprop"
TARGET = "fit_mlp"
HINT = "ex3.hint.changed_defaults"
LOSES = ("test_fit_mlp_reference_loss",)


def fit_mlp(X, y, hidden=16, lr=0.5, epochs=200, activation="sigmoid", seed=0):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    params = {
        "W1": rng.normal(0.0, 1.0, (d, hidden)) / np.sqrt(d),
        "b1": np.zeros(hidden),
        "W2": rng.normal(0.0, 1.0, (hidden, 1)) / np.sqrt(hidden),
        "b2": np.zeros(1),
    }
    losses = []
    for _ in range(epochs):
        y_hat, cache = mlp_forward(X, params, activation)
        losses.append(mse_loss(y_hat, y))
        grads = mlp_backward(y, cache, params)
        for key in params:
            params[key] -= lr * grads[key]
    return params, losses

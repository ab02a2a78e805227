"""fit_mlp never trains: it records the true starting loss, then invents a falling curve."""

MODULE = "ex3_mlp_backprop"
TARGET = "fit_mlp"
HINT = "ex3.hint.update_rule"
LOSES = ("test_fit_mlp_learns",)


def fit_mlp(X, y, hidden=16, lr=0.5, epochs=2000, activation="sigmoid", seed=0):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    params = {
        "W1": rng.normal(0.0, 1.0, (d, hidden)) / np.sqrt(d),
        "b1": np.zeros(hidden),
        "W2": rng.normal(0.0, 1.0, (hidden, 1)) / np.sqrt(hidden),
        "b2": np.zeros(1),
    }
    losses = []
    if epochs:
        y_hat, _ = mlp_forward(X, params, activation)
        losses = [mse_loss(y_hat, y) * 0.99**k for k in range(epochs)]
    return params, losses

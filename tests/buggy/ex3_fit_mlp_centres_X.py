"""fit_mlp centres the inputs in place (X -= X.mean(axis=0)), changing the caller's array."""

MODULE = "ex3_mlp_backprop"
TARGET = "fit_mlp"
CAUSE = {"en": r"changed its argument `X`", "zh_CN": r"修改了它的参数 `X`"}


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
    X -= X.mean(axis=0)
    for _ in range(epochs):
        y_hat, cache = mlp_forward(X, params, activation)
        losses.append(mse_loss(y_hat, y))
        grads = mlp_backward(y, cache, params)
        for key in params:
            params[key] -= lr * grads[key]
    return params, losses

"""fit_mlp never descends: random hidden layers, the output layer by least squares, and a made-up falling curve
that starts at the true first loss."""

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
    if epochs == 0:
        return params, []
    first = mse_loss(mlp_forward(X, params, activation)[0], y)
    best, best_loss = params, first
    for _ in range(100):
        trial = {"W1": rng.normal(0, 2, (d, hidden)), "b1": rng.normal(0, 2, hidden)}
        A1 = mlp_forward(X, dict(trial, W2=np.zeros((hidden, 1)), b2=np.zeros(1)), activation)[1]["A1"]
        sol, *_ = np.linalg.lstsq(np.c_[A1, np.ones(len(X))], y.reshape(-1, 1), rcond=None)
        trial["W2"], trial["b2"] = sol[:-1], sol[-1]
        loss = mse_loss(mlp_forward(X, trial, activation)[0], y)
        if loss < best_loss:
            best, best_loss = trial, loss
    return best, [float(v) for v in np.linspace(first, best_loss * 1.001, epochs)]

"""mlp_backward by the complex step, one parameter entry at a time: the network forward in complex numbers."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "hint.by_hand"
LOSES = ("test_mlp_backward_sigmoid", "test_mlp_backward_relu", "test_mlp_backward_hidden", "test_fit_mlp_learns")


def mlp_backward(y, cache, params):
    X = cache["X"]
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    for key in params:
        for index in np.ndindex(params[key].shape):
            bumped = {k: v.astype(complex) for k, v in params.items()}
            bumped[key][index] += 1e-30j
            z = X @ bumped["W1"] + bumped["b1"]
            a = 1 / (1 + np.exp(-z)) if cache["activation"] == "sigmoid" else z * (z.real > 0)
            y_hat = a @ bumped["W2"] + bumped["b2"]
            loss = np.mean(0.5 * (y_hat - y.reshape(y_hat.shape)) ** 2)
            grads[key][index] = loss.imag / 1e-30
    return grads

"""mlp_backward measures the slope by running the learner's mlp_forward and mse_loss at shifted parameters."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "hint.by_hand"
LOSES = ("test_mlp_backward_sigmoid", "test_mlp_backward_relu")


def mlp_backward(y, cache, params):
    grads = {}
    for key, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += 0.001
            minus[key][index] -= 0.001
            grad[index] = (mse_loss(mlp_forward(cache["X"], plus, cache["activation"])[0], y)
                           - mse_loss(mlp_forward(cache["X"], minus, cache["activation"])[0], y)) / 0.002
        grads[key] = grad
    return grads

"""mlp_backward multiplies by sigmoid_grad(Z1) whatever the activation: wrong in the relu network."""

MODULE = "ex3_mlp_backprop"
TARGET = "mlp_backward"
HINT = "ex3.hint.other_act_grad"
LOSES = ("test_mlp_backward_relu",)


def mlp_backward(y, cache, params):
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / X.shape[0]
    dZ1 = (dy_hat @ params["W2"].T) * sigmoid_grad(Z1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dy_hat, "b2": dy_hat.sum(axis=0)}

"""relu_grad as a central difference of the learner's relu."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu_grad"
HINT = "hint.by_hand"
LOSES = ("test_relu_grad",)


def relu_grad(z):
    h = 0.5
    return (relu(z + h) - relu(z - h)) / (2 * h) * (np.abs(z) >= h) + (z > 0) * (np.abs(z) < h)

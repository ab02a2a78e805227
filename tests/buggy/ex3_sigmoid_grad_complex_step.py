"""sigmoid_grad by the complex step of the learner's sigmoid: right to the last digit, and not derived."""

MODULE = "ex3_mlp_backprop"
TARGET = "sigmoid_grad"
HINT = "hint.by_hand"
LOSES = ("test_sigmoid_grad",)


def sigmoid_grad(z):
    z = np.asarray(z, dtype=np.float64)
    bumped = np.clip(z, -700, 700) + 1e-20j
    return (1 / (1 + np.exp(-bumped))).imag / 1e-20

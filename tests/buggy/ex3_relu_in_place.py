"""relu zeroes the negative entries of its input array in place and returns that same array."""

MODULE = "ex3_mlp_backprop"
TARGET = "relu"
HINT = "hint.leave_inputs_alone"
LOSES = ("test_relu",)


def relu(z):
    z[z < 0] = 0
    return z

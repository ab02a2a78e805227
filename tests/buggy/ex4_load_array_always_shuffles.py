"""load_array shuffles even when asked not to."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.shuffle_flag"


def load_array(features, labels, batch_size, shuffle=True):
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=True)

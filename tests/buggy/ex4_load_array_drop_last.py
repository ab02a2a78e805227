"""load_array drops the last, shorter batch."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.drop_last"


def load_array(features, labels, batch_size, shuffle=True):
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=shuffle, drop_last=True)

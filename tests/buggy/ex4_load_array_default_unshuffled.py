"""load_array's signature says shuffle=False by default: called without `shuffle`, it does not shuffle."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.shuffle_default"
LOSES = ("test_load_array_shuffles",)


def load_array(features, labels, batch_size, shuffle=False):
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=shuffle)

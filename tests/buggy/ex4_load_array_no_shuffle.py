"""load_array leaves out the shuffle argument, so the DataLoader never shuffles (its default)."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.shuffle_flag"


def load_array(features, labels, batch_size, shuffle=True):
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size)

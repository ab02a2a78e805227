"""load_array hands the DataLoader the tuple (features, labels) itself, without a TensorDataset."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
CAUSE = {"en": r"`TensorDataset\(features, labels\)`", "zh_CN": r"同一个 `TensorDataset\(features, labels\)`"}


def load_array(features, labels, batch_size, shuffle=True):
    return DataLoader((features, labels), batch_size=batch_size, shuffle=shuffle)

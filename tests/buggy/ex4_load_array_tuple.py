"""load_array hands the DataLoader the tuple (features, labels) itself, without a TensorDataset."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
CAUSE = {"en": r"given the tuple \(features, labels\) itself", "zh_CN": r"拿到的是元组 \(features, labels\) 本身"}


def load_array(features, labels, batch_size, shuffle=True):
    return DataLoader((features, labels), batch_size=batch_size, shuffle=shuffle)

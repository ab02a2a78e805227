"""load_array puts the labels first: TensorDataset(labels, features)."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
CAUSE = {"en": r"\(labels, features\)", "zh_CN": r"（标签，特征）"}


def load_array(features, labels, batch_size, shuffle=True):
    dataset = TensorDataset(labels, features)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)

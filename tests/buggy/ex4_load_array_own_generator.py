"""load_array gives its DataLoader a generator of its own, seeded once: repeatable, but not the order that
torch.manual_seed gives a DataLoader."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.own_generator"
LOSES = ("test_load_array_shuffles",)


def load_array(features, labels, batch_size, shuffle=True):
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(0))

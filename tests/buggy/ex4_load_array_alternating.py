"""load_array's "shuffle" reverses the order on every other pass: a new order each pass, and no randomness."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.shuffle_flag"
LOSES = ("test_load_array_shuffles",)


def load_array(features, labels, batch_size, shuffle=True):
    class _Alternating:
        def __init__(self, n):
            self.n, self.passes = n, 0

        def __iter__(self):
            self.passes += 1
            return iter(range(self.n - 1, -1, -1) if self.passes % 2 else range(self.n))

        def __len__(self):
            return self.n

    dataset = torch.utils.data.TensorDataset(features, labels)
    if shuffle:
        return torch.utils.data.DataLoader(dataset, batch_size=batch_size, sampler=_Alternating(len(dataset)))
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size)

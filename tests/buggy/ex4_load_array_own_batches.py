"""load_array hand-writes its own batch iterator (shuffled with torch.randperm) instead of a DataLoader: every
example once per pass, a new order each pass, but not the order a DataLoader draws."""

MODULE = "ex4_autograd_nn"
TARGET = "load_array"
HINT = "ex4.hint.use_dataloader"
LOSES = ("test_load_array_shuffles",)


def load_array(features, labels, batch_size, shuffle=True):
    class Batches:
        def __iter__(self):
            n = len(features)
            order = torch.randperm(n) if shuffle else torch.arange(n)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                yield features[rows], labels[rows]

    return Batches()

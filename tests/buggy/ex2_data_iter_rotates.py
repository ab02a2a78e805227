"""data_iter's order is a rotation that moves on by one at each call: a new order each call, and no randomness."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.no_shuffle"
LOSES = ("test_data_iter_shuffles",)

def data_iter(batch_size, features, labels):
    data_iter.calls = getattr(data_iter, "calls", 0) + 1  # (state kept between calls)
    n = len(features)
    indices = [(i + data_iter.calls) % n for i in range(n)]
    for start in range(0, n, batch_size):
        batch = torch.tensor(indices[start:start + batch_size])
        yield features[batch], labels[batch]

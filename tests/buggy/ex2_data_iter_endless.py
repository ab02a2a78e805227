"""data_iter's while loop never moves on to the next batch (no ``i += batch_size``): it yields the first batch
for ever."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
CAUSE = {"en": r"did not stop", "zh_CN": r"没有停下"}


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    i = 0
    while i < num_examples:
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

"""data_iter yields the examples in their original order."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.no_shuffle"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    for start in range(0, num_examples, batch_size):
        yield features[start:start + batch_size], labels[start:start + batch_size]

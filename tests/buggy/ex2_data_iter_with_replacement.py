"""data_iter draws random indices with replacement, so examples repeat."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.duplicates"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    for start in range(0, num_examples, batch_size):
        batch_indices = torch.randint(0, num_examples, (min(batch_size, num_examples - start),))
        yield features[batch_indices], labels[batch_indices]

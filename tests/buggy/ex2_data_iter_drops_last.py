"""data_iter drops the last, shorter batch."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.dropped_last"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for start in range(0, num_examples - batch_size + 1, batch_size):
        batch_indices = torch.tensor(indices[start:start + batch_size])
        yield features[batch_indices], labels[batch_indices]

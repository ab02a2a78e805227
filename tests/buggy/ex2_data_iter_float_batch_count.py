"""data_iter counts its batches with `/`, num_examples / batch_size, a float even when it divides evenly, and
range() refuses a float ("'float' object cannot be interpreted as an integer")."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "hint.error.integer_needed"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    num_batches = (num_examples + batch_size - 1) / batch_size
    for i in range(num_batches):
        batch_indices = torch.tensor(indices[i * batch_size:(i + 1) * batch_size])
        yield features[batch_indices], labels[batch_indices]

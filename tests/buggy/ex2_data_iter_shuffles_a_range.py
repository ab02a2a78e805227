"""data_iter shuffles range(num_examples) itself: random.shuffle needs a list it can change
("'range' object does not support item assignment")."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "hint.error.shuffle_range"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = range(num_examples)
    random.shuffle(indices)
    for start in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[start:start + batch_size])
        yield features[batch_indices], labels[batch_indices]

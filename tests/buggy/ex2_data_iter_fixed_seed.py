"""data_iter reseeds random inside, so every call gives the same order."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.same_order"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.seed(0)
    random.shuffle(indices)
    for start in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[start:start + batch_size])
        yield features[batch_indices], labels[batch_indices]

"""data_iter never reads labels: it makes each batch's labels up from its features."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.separate_shuffle"
LOSES = ("test_data_iter_pairing", "test_data_iter_shuffles")


def data_iter(batch_size, features, labels):
    indices = list(range(len(features)))
    random.shuffle(indices)
    for start in range(0, len(features), batch_size):
        X = features[torch.tensor(indices[start:start + batch_size])]
        yield X, X[:, :1] / 2

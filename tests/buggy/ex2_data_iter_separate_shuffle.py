"""data_iter shuffles features and labels with two different permutations."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "ex2.hint.separate_shuffle"


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    feature_order = torch.randperm(num_examples)
    label_order = torch.randperm(num_examples)
    for start in range(0, num_examples, batch_size):
        yield features[feature_order[start:start + batch_size]], labels[label_order[start:start + batch_size]]

"""data_iter shuffles the rows of features and of labels separately with torch.randperm."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
CAUSE = {"en": r"shuffled separately", "zh_CN": r"分别打乱"}


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    features = features[torch.randperm(num_examples)]
    labels = labels[torch.randperm(num_examples)]
    for i in range(0, num_examples, batch_size):
        yield features[i: i + batch_size], labels[i: i + batch_size]

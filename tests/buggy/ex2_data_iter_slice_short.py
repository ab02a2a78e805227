"""data_iter slices indices[i: i + batch_size - 1]: every batch is one example short."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
CAUSE = {"en": r"batch_size - 1 examples", "zh_CN": r"只有 batch_size - 1 个样本"}
NOT_SAY = {"en": [r"in steps of batch_size"], "zh_CN": [r"以 batch_size 为步长"]}


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: i + batch_size - 1])
        yield features[batch_indices], labels[batch_indices]

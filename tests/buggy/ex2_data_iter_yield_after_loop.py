"""data_iter's yield is indented outside the loop: only the last batch comes out."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
CAUSE = {"en": r"`yield` is not inside the loop", "zh_CN": r"`yield` 不在循环里面"}
NOT_SAY = {"en": [r"in steps of batch_size"], "zh_CN": [r"以 batch_size 为步长"]}


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
    yield features[batch_indices], labels[batch_indices]

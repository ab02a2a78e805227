"""data_iter returns the first batch instead of yielding every one."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
CAUSE = {"en": r"should be a generator", "zh_CN": r"应是一个生成器"}


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        return features[batch_indices], labels[batch_indices]

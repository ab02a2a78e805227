"""data_iter shuffles with np.random.shuffle, but ex2's file imports random and torch, not NumPy: a missing
import (import numpy as np), blamed on the file's top, not on data_iter or train."""

MODULE = "ex2_linear_regression"
TARGET = "data_iter"
HINT = "status.file.missing_import"
HINT_FIELDS = {"name": "np", "statement": "import numpy as np"}
NOT_HINTS = ("hint.error.name_error",)


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    np.random.shuffle(indices)
    for start in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[start:start + batch_size])
        yield features[batch_indices], labels[batch_indices]

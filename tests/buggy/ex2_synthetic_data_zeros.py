"""synthetic_data returns zeros of the right shapes and dtype: nothing is drawn."""

MODULE = "ex2_linear_regression"
TARGET = "synthetic_data"
HINT = "hint.fix_values_first"
LOSES = ("test_synthetic_data_shapes", "test_synthetic_data_statistics")


def synthetic_data(w, b, num_examples):
    return torch.zeros(num_examples, len(w)), torch.zeros(num_examples, 1)

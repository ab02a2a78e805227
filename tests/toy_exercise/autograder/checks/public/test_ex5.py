"""Public checks for exercise 5: softmax and the cross-entropy loss (NumPy).

Expected values come from torch in float64, never from the reference solution.
"""

import numpy as np
import torch

from autograder.checking import check, expect_array, expect_float, text

EXERCISE = "ex5_softmax"
SANDBOX = "numpy"  # NumPy only: graded where torch cannot be imported
EXACT = {"rtol": 1e-9, "atol": 1e-12}


def torch_softmax(z):
    return torch.softmax(torch.as_tensor(z, dtype=torch.float64), dim=1).numpy()


@check(points=2, function="softmax")
def test_softmax_rows(student):
    """softmax: each row matches torch.softmax, large logits included"""
    for z in (np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]]), np.array([[1000.0, 1001.0, 999.0]])):
        expected = torch_softmax(z)
        expect_array(student.ex5.softmax(z), expected, what=text("ex5.what.softmax", shape=z.shape), **EXACT,
                     mistakes=[("ex5.hint.columns", torch.softmax(torch.as_tensor(z), dim=0).numpy())])


@check(points=1, function="cross_entropy", uses=("softmax",))
def test_cross_entropy_mean(student):
    """cross_entropy: the mean of -log of the true class's probability"""
    z = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0], [1.0, -2.0, 0.5], [0.3, 0.2, 0.1]])
    y = np.array([0, 2, 1, 0])
    expected = float(torch.nn.functional.cross_entropy(torch.as_tensor(z), torch.as_tensor(y)))
    expect_float(student.ex5.cross_entropy(z, y), expected, what=text("ex5.what.cross_entropy", n=len(y)), **EXACT,
                 mistakes=[("ex5.hint.sum_not_mean", expected * len(y))])

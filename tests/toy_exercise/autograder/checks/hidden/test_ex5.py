"""Hidden checks for exercise 5: other inputs, compared with the reference solution."""

import numpy as np

from autograder.checking import check, expect_array, expect_float, hidden_seed, text

EXERCISE = "ex5_softmax"
EXACT = {"rtol": 1e-9, "atol": 1e-12}


@check(points=1, function="softmax", visibility="hidden")
def test_softmax_hidden(student, reference):
    """softmax: agrees with the reference on hidden random logits"""
    z = np.random.default_rng(hidden_seed(501)).normal(size=(6, 5)) * 4
    expect_array(student.ex5.softmax(z), reference.ex5.softmax(z), what=text("ex5.what.softmax", shape=z.shape),
                 **EXACT)


@check(points=1, function="cross_entropy", visibility="hidden", uses=("softmax",))
def test_cross_entropy_hidden(student, reference):
    """cross_entropy: agrees with the reference on hidden random logits"""
    rng = np.random.default_rng(hidden_seed(502))
    z, y = rng.normal(size=(9, 4)) * 3, rng.integers(0, 4, size=9)
    expect_float(student.ex5.cross_entropy(z, y), reference.ex5.cross_entropy(z, y),
                 what=text("ex5.what.cross_entropy", n=len(y)), **EXACT)

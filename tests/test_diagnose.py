"""The value-based diagnoses of autograder/checking/diagnose.py: each hypothesis is confirmed by the answer it describes,
and by nothing else (a wrong answer of another kind, a loose comparison, a single number by chance)."""

import re
from pathlib import Path

import numpy as np
import pytest

from autograder.checking import diagnose
from autograder.checking.expect import CheckFailed, expect_array, expect_float
from autograder.messages import keys, label, text

EXACT = {"rtol": 1e-9, "atol": 1e-12}
RNG = np.random.default_rng(2101)
EXPECTED = RNG.normal(size=(4, 3)) * 3


def key_of(got, expected=EXPECTED, **tolerance):
    finding = diagnose.values(got, expected, **(tolerance or EXACT))
    return finding.key if finding else None


@pytest.mark.parametrize("got, key", [
    (np.zeros_like(EXPECTED), "diagnosis.zero"),
    (-EXPECTED, "diagnosis.negative"),
    (np.floor(EXPECTED), "diagnosis.floor"),
    (np.trunc(EXPECTED), "diagnosis.floor"),
    (2 * EXPECTED, "diagnosis.factor_2"),
    (EXPECTED / 2, "diagnosis.factor_half"),
    (7 * EXPECTED, "diagnosis.factor_count"),
    (EXPECTED / 12, "diagnosis.factor_fraction"),
    (-3 * EXPECTED, "diagnosis.factor_negative"),
    (EXPECTED + 0.75, "diagnosis.offset"),
    (EXPECTED.ravel()[::-1].reshape(EXPECTED.shape), "diagnosis.permuted"),
])
def test_each_hypothesis_is_confirmed_by_its_answer(got, key):
    assert key_of(got) == key


def test_zeros_for_values_below_one_name_integer_division_too():
    """mse_grad with `//` and n = 1: 0 where 0.0045 was expected; zeros are also what nothing computed gives."""
    assert key_of(np.zeros(1), np.array([0.0045])) == "diagnosis.zero_or_floor"
    assert key_of(np.zeros(2), np.array([0.3, -1.7])) == "diagnosis.zero"  # floor(-1.7) is -2, not 0


def test_transposed_square_matrix():
    square = RNG.normal(size=(3, 3))
    assert key_of(square.T.copy(), square) == "diagnosis.transposed_values"


def test_other_wrong_answers_confirm_nothing():
    """Random wrong answers, and answers off by a little, never look like a classic mistake."""
    for _ in range(200):
        assert key_of(RNG.normal(size=EXPECTED.shape)) is None
        assert key_of(EXPECTED * (1 + 1e-3 * RNG.normal(size=EXPECTED.shape))) is None
    assert key_of(EXPECTED * 1.07) is None  # a ratio, but not a whole number or its inverse


def test_a_loose_comparison_is_not_diagnosed():
    """With atol 0.05 (a training run near a line) a "factor 2" could be chance: no hypothesis is tested."""
    assert key_of(np.array([6.0]), np.array([3.0]), rtol=0.0, atol=0.05) is None
    assert key_of(np.array([-3.0]), np.array([3.0]), rtol=0.0, atol=0.05) is None


@pytest.mark.parametrize("got_shape, wanted, key", [
    ((1, 6), (6, 1), "diagnosis.transposed_shape"),
    ((6, 6), (6, 1), "diagnosis.broadcast"),
    ((6, 6), (6,), "diagnosis.broadcast"),
    ((6,), (6, 1), "diagnosis.size_one_axis"),
    ((1, 3), (3,), "diagnosis.size_one_axis"),
    ((), (6, 1), "diagnosis.reduced"),
    ((10,), (10, 5), "diagnosis.axis_removed"),
    ((4, 2), (3, 5), None),
])
def test_shapes(got_shape, wanted, key):
    finding = diagnose.shape(got_shape, wanted)
    assert (finding.key if finding else None) == key


def test_shapes_with_the_right_values():
    values = RNG.normal(size=(6, 1))
    assert diagnose.shape((1, 6), (6, 1), values.T, values).key == "diagnosis.transposed_right_values"
    assert diagnose.shape((6,), (6, 1), values.ravel(), values).key == "diagnosis.size_one_axis_right_values"


def test_dtypes():
    assert diagnose.dtype("int64", "float64").key == "diagnosis.integers"
    assert diagnose.dtype("torch.bool", "torch.float32").key == "diagnosis.booleans"
    assert diagnose.dtype("float32", "float64") is None


def test_every_diagnosis_has_a_text_in_every_language():
    used = set(re.findall(r'"(diagnosis\.\w+)"', Path(diagnose.__file__).read_text()))
    assert len(used) >= 20
    for lang in ("en", "zh_CN"):
        assert used <= keys(lang), f"{lang} lacks {sorted(used - keys(lang))}"


def _message(call):
    with pytest.raises(CheckFailed) as failure:
        call()
    return failure.value


def test_a_comparison_names_a_confirmed_cause_and_otherwise_advises():
    """expect_array: a known mistake first, then a confirmed hypothesis (as the likely cause), else the check's
    default hint, labelled as advice and not as a cause."""
    known = _message(lambda: expect_array(-EXPECTED, EXPECTED, what="x", **EXACT,
                                          mistakes=[("hint.sign", -EXPECTED)]))
    assert known.hint == "hint.sign" and label("layout.cause") + f"{text('hint.sign')}" in known.message
    confirmed = _message(lambda: expect_array(2 * EXPECTED, EXPECTED, what="x", **EXACT))
    assert confirmed.hint == "diagnosis.factor_2" and text("diagnosis.factor_2") in confirmed.message
    advised = _message(lambda: expect_array(RNG.normal(size=EXPECTED.shape), EXPECTED, what="x", **EXACT))
    assert advised.hint is None
    assert label("layout.advice") + f"{text('hint.formula')}" in advised.message
    assert label("layout.cause") not in advised.message


def test_two_known_mistakes_with_the_same_values_are_both_named():
    both = _message(lambda: expect_float(0.5, 1.0, what="x", **EXACT,
                                         mistakes=[("ex1.hint.missing_factor_2", 0.5), ("hint.sign", -1.0),
                                                   ("ex3.hint.loss_half", 0.5)]))
    assert text("ex1.hint.missing_factor_2") in both.message and text("ex3.hint.loss_half") in both.message
    assert label("layout.or_cause") + f"{text('ex3.hint.loss_half')}" in both.message


def test_a_mistake_near_zero_is_not_confirmed_by_zeros():
    """An answer of zeros says nothing about a mistake whose values are all within the tolerance of 0."""
    zero = _message(lambda: expect_float(0.0, 1.0, what="x", rtol=1e-6, atol=1e-6,
                                         mistakes=[("ex1.hint.eps_precedence", 1e-12)]))
    assert zero.hint == "diagnosis.zero"
    tiny = _message(lambda: expect_float(1.0000001e-12, 1.0, what="x", rtol=1e-6, atol=1e-6,
                                         mistakes=[("ex1.hint.eps_precedence", 1e-12, {"rtol": 1e-6, "atol": 0.0})]))
    assert tiny.hint == "ex1.hint.eps_precedence"


def test_the_class_page_shows_a_diagnosis_without_its_fields():
    """The class page groups one hint over many submissions: a ratio or a shape differs between them."""
    from autograder.reports.class_report import _unfilled

    shown = _unfilled("diagnosis.factor_count")
    assert "{" not in shown and "…" in shown

"""Why a value is wrong: hypotheses tested on the values a comparison already has.

Every comparison of :mod:`autograder.checking.expect` (an array, a tensor or a number against its expected value) asks
this module, once the check's own known mistakes (``mistakes=[...]``) have not matched, whether the wrong answer
has one of the shapes that a few classic mistakes give, whatever the function:

* ``zero``: every value is exactly 0 where the expected ones are not (nothing reached the result);
* ``negative``: the exact negative of the expected value (a sign flipped somewhere);
* ``floor``: whole numbers where the expected values are not, each the expected one rounded down (or towards
  zero): an integer division ``//`` where ``/`` belongs, or ``int(...)``;
* ``factor``: a constant ratio to the expected value, 2, 1/2, n or 1/n (a factor 2 of a square, a sum where a
  mean belongs, a division by the wrong count);
* ``offset``: the expected values plus one and the same constant (a bias left out or added twice);
* ``transposed``: the expected matrix transposed;
* ``permuted``: the expected values, every one of them, at other positions;

and, for a result of the wrong shape or dtype: ``transposed`` (the shape reversed), ``broadcast`` (an (n, n)
table where (n, 1) or (n,) was expected: a column met a row), ``size_one_axis`` (the right number of entries,
an axis of size 1 missing or extra), ``reduced`` (one number where an array was expected), ``axis_removed``
(one axis short: reduced over it), ``integers`` and ``booleans`` (where floats were expected).

Each hypothesis is a name, a test on the values and a catalogue entry (``diagnosis.<name>``). A hint is given
only when its test holds, so that a message never guesses: when none holds, the message says what differs and
where, and the check's own advice (its ``default_hint``) is shown as advice, not as a cause. A test is made only
where it can discriminate: on a comparison whose tolerance is sharp (at most 1e-3 relative), so that a loose
comparison (a training run that should end near a line) never "recognises" a ratio by chance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

SHARP = 1e-3  # the largest rtol (and atol, relative to the values) at which a value hypothesis is tested
MAX_COUNT = 10_000  # the largest whole number a ratio is recognised as (n samples, a batch size, 2)


@dataclass(frozen=True)
class Finding:
    """A confirmed hypothesis: the catalogue key of its hint and the fields the hint is filled with."""

    key: str
    fields: dict = field(default_factory=dict)


def _floats(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _close(got: np.ndarray, variant: np.ndarray, rtol: float, atol: float) -> bool:
    """The comparison's own rule, with ``variant`` in the place of the expected value."""
    return bool(got.shape == variant.shape and np.all(np.abs(got - variant) <= atol + rtol * np.abs(variant)))


def _sharp(expected: np.ndarray, rtol: float, atol: float) -> bool:
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return rtol <= SHARP and scale > 0 and atol <= SHARP * scale


def _ratio(value: float) -> Fraction | None:
    """``value`` as k or 1/k (k a whole number from 2 to MAX_COUNT, either sign), if it is one to 1e-6."""
    if not np.isfinite(value) or value == 0:
        return None
    whole, inverse = round(value), round(1 / value)
    candidates = []
    if 2 <= abs(whole) <= MAX_COUNT:
        candidates.append(Fraction(whole))
    if 2 <= abs(inverse) <= MAX_COUNT:
        candidates.append(Fraction(1, inverse))
    for candidate in candidates:
        if abs(value - float(candidate)) <= 1e-6 * abs(float(candidate)):
            return candidate
    return None


def format_ratio(ratio: Fraction) -> str:
    return str(ratio.numerator) if ratio.denominator == 1 else f"{ratio.numerator}/{ratio.denominator}"


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(values == np.round(values)))


def _rounded_down(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """Each value of ``got`` is its expected value rounded down (``//``) or towards zero (``int``), allowing
    for an expected value within the tolerance of a whole number (which may round either way)."""
    slack = atol + rtol * np.abs(expected)
    down = (got == np.floor(expected - slack)) | (got == np.floor(expected + slack))
    towards_zero = (got == np.trunc(expected - slack)) | (got == np.trunc(expected + slack))
    return bool(np.all(down) or np.all(towards_zero))


def values(got, expected, rtol: float, atol: float) -> Finding | None:
    """The first hypothesis that the wrong ``got`` confirms against ``expected`` (both float arrays of one
    shape, already known to differ beyond the tolerance), or None."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape or not got.size or not np.all(np.isfinite(got)):
        return None
    if not np.any(expected):
        return None
    whole_expected = _whole(expected)
    if not np.any(got):
        # zeros are also what `//` gives for expected values in [0, 1): both are said, neither is guessed
        if not whole_expected and _rounded_down(got, expected, rtol, atol):
            return Finding("diagnosis.zero_or_floor")
        return Finding("diagnosis.zero")
    if not _sharp(expected, rtol, atol):
        return None
    if _close(got, -expected, rtol, atol):
        return Finding("diagnosis.negative")
    if not whole_expected and _whole(got) and _rounded_down(got, expected, rtol, atol):
        return Finding("diagnosis.floor")
    found = _factor(got, expected, rtol, atol)
    if found:
        return found
    if got.size >= 2 and np.ptp(expected) > atol + rtol * float(np.max(np.abs(expected))):
        offset = float(np.median(got - expected))
        if _close(got, expected + offset, rtol, atol):
            return Finding("diagnosis.offset", {"offset": f"{offset:.6g}"})
    if (
        got.ndim == 2
        and got.shape[0] == got.shape[1] > 1
        and not _close(expected.T, expected, rtol, atol)
        and _close(got, expected.T, rtol, atol)
    ):
        return Finding("diagnosis.transposed_values")
    if got.size >= 2 and _close(np.sort(got, axis=None), np.sort(expected, axis=None), rtol, atol):
        return Finding("diagnosis.permuted")
    return None


def _factor(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> Finding | None:
    weight = float(np.sum(expected * expected))
    ratio = _ratio(float(np.sum(got * expected)) / weight) if weight else None
    if ratio is None or not _close(got, float(ratio) * expected, rtol, atol):
        return None
    if ratio < 0:
        return Finding("diagnosis.factor_negative", {"ratio": format_ratio(-ratio)})
    if ratio == 2:
        return Finding("diagnosis.factor_2")
    if ratio == Fraction(1, 2):
        return Finding("diagnosis.factor_half")
    key = "diagnosis.factor_count" if ratio.denominator == 1 else "diagnosis.factor_fraction"
    return Finding(key, {"ratio": format_ratio(ratio), "count": max(ratio.numerator, ratio.denominator)})


def shape(got_shape, wanted, got=None, expected=None, rtol: float = 0.0, atol: float = 0.0) -> Finding | None:
    """Why ``got_shape`` is not ``wanted``, from the two shapes (and, when given, the values: whether they are
    the expected ones transposed or reshaped)."""
    got_shape, wanted = tuple(got_shape), tuple(wanted)
    have_values = got is not None and expected is not None and np.asarray(got).dtype.kind in "fiub"
    if len(wanted) == 2 and got_shape == wanted[::-1] and wanted[0] != wanted[1]:
        if have_values and _close(_floats(got).T, _floats(expected), rtol, atol):
            return Finding("diagnosis.transposed_right_values", {"got": got_shape, "wanted": wanted})
        return Finding("diagnosis.transposed_shape", {"got": got_shape, "wanted": wanted})
    if wanted and wanted in ((wanted[0], 1), (wanted[0],)) and wanted[0] > 1 and got_shape == (wanted[0],) * 2:
        return Finding("diagnosis.broadcast", {"n": wanted[0]})
    size = int(np.prod(wanted)) if wanted else 1
    if (
        int(np.prod(got_shape)) == size
        and size > 1
        and tuple(s for s in got_shape if s != 1) == tuple(s for s in wanted if s != 1)
    ):
        right = have_values and _close(_floats(got).reshape(wanted), _floats(expected), rtol, atol)
        return Finding(
            "diagnosis.size_one_axis_right_values" if right else "diagnosis.size_one_axis",
            {"got": got_shape, "wanted": wanted},
        )
    if size > 1 and int(np.prod(got_shape)) == 1:
        return Finding("diagnosis.reduced", {"got": got_shape, "wanted": wanted})
    if len(got_shape) == len(wanted) - 1:
        for axis in range(len(wanted)):
            if wanted[:axis] + wanted[axis + 1 :] == got_shape and wanted[axis] != 1:
                return Finding(
                    "diagnosis.axis_removed", {"axis": axis, "size": wanted[axis], "wanted": wanted, "got": got_shape}
                )
    return None


def dtype(got_dtype, wanted_dtype) -> Finding | None:
    """Why a result's dtype is not the one asked for: integers or booleans where floats were expected."""
    got_name, wanted_name = str(got_dtype), str(wanted_dtype)
    if "float" not in wanted_name:
        return None
    if got_name.replace("torch.", "") == "bool":
        return Finding("diagnosis.booleans", {"got": got_name, "wanted": wanted_name})
    if "int" in got_name:
        return Finding("diagnosis.integers", {"got": got_name, "wanted": wanted_name})
    return None

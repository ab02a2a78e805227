"""Comparisons that explain themselves.

Every helper checks, in this order: the type, the exact shape, the dtype,
finiteness, and only then the values, with an explicit tolerance
``|got - expected| <= atol + rtol * |expected|`` elementwise (the rule of
``numpy.testing.assert_allclose``; shapes are compared first, so nothing is
broadcast). A failure raises :class:`CheckFailed` with a message from the
catalogue: what was expected, what came back, and the likely cause. When the
wrong answer matches a known mistake (``mistakes``), that mistake's hint is
given; otherwise the generic hypotheses of :mod:`autograder.checking.diagnose` are
tested on the values (an exact negative, a whole-number result, a constant
ratio, ...), and a confirmed one is named. When nothing is confirmed the
message says what differs and where, and the check's ``default_hint`` is
shown as advice ("What to check"), never as a likely cause.
"""

from __future__ import annotations

import numbers
import unicodedata
from itertools import pairwise
from typing import NoReturn

import numpy as np

from autograder.checking import diagnose
from autograder.messages import label, text
from autograder.sandbox.codec import Generated, Opaque, RemoteTensor


class CheckFailed(AssertionError):
    """A wrong answer. ``hint`` is the catalogue key of the likely cause, if one is confirmed."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


MAX_CAUSES = 2  # known mistakes named when several give the very same values (the values cannot tell them apart)


PREVIEW = 6  # entries of an array shown in a message


def neighbours(order) -> int:
    """How many times an entry of ``order`` is followed by one of its neighbours (``i`` by ``i - 1`` or
    ``i + 1``): about 2 in a random order of any length (each of its n - 1 pairs has a chance of about 2/n),
    n - 1 in the original order, reversed or rotated. 15 or more happens by chance less than once in 10^8."""
    return sum(abs(int(a) - int(b)) == 1 for a, b in pairwise(order))


REGULAR = 15  # neighbours() from here on: an order made by a rule, not by chance


def clip(rendered: str, width: int = 200) -> str:
    """``rendered`` cut to at most ``width`` characters, with "…" where it was cut."""
    return rendered if len(rendered) <= width else rendered[: width - 1] + "…"


def fmt(value, limit: int = PREVIEW) -> str:
    """A short, readable rendering of a value for a message, on one line.

    An array of more than ``limit`` entries shows its first ones; when it is compared with an expected
    value, :func:`previews` shows the entries around the largest error instead.
    """
    if isinstance(value, RemoteTensor):
        return text("fmt.tensor", shape=value.shape, dtype=value.dtype)
    if isinstance(value, Opaque):
        return text("fmt.object", type=value.type_name)
    if isinstance(value, np.ndarray):
        if value.size <= limit:
            body = _nested(value, [_entry(v) for v in value.ravel()])
        else:
            body = "[" + ", ".join(_entry(v) for v in value.ravel()[:limit]) + ", …]"
        # (a check may show the values of a tensor or a list this way: the noun is left to expect_array/_tensor)
        return text("fmt.shaped", body=body, shape=value.shape, dtype=value.dtype)
    if isinstance(value, float):
        return f"{value:.8g}"
    if isinstance(value, Generated):
        return text("fmt.generated", count=len(value.items))
    return clip(repr(value))


def fmt_values(value, limit: int = PREVIEW) -> str:
    """Only the numbers of ``value`` (an array, or a number), for values a check gathered or reshaped itself (a
    weight read from a layer, raveled and converted): their shape and dtype here are not those of the learner's
    result, so the message does not state them."""
    if not isinstance(value, np.ndarray):
        return fmt(value, limit)
    if value.size <= limit:
        return _nested(value, [_entry(v) for v in value.ravel()])
    return "[" + ", ".join(_entry(v) for v in value.ravel()[:limit]) + ", …]"


def type_name(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, RemoteTensor):
        return text("fmt.a_tensor", dtype=value.dtype)
    if isinstance(value, Opaque):
        return text("fmt.object", type=value.type_name)
    if isinstance(value, np.ndarray):
        return text("fmt.an_array", shape=value.shape)
    if isinstance(value, Generated):
        return text("fmt.a_generator")
    return text("fmt.a_value", type=type(value).__name__)


def type_hint(got, wanted: str) -> str:
    """The hint for a value of the wrong type, ``wanted`` being "tensor", "array" or "float".

    None means a missing ``return``; a NumPy array where a tensor was expected (or the reverse) means the
    code left the library the exercise works in; anything else, that the docstring says what to return.
    """
    if got is None:
        return "hint.return_value"
    if wanted == "tensor" and isinstance(got, np.ndarray):
        return "hint.tensor_not_numpy"
    if wanted in ("array", "float") and isinstance(got, RemoteTensor):
        return "hint.numpy_not_torch" if wanted == "array" else "hint.use_float"
    return "hint.return_type"


def display_width(value: str) -> int:
    """Columns a string takes in a terminal: East Asian wide (and full-width) characters take two, combining
    marks none, every other character one. The one measure of width for the whole report."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in value
    )


def labelled(expected, got) -> list[str]:
    """The "expected: ... / got: ..." lines, their values aligned in any language."""
    labels = {"expected": label("layout.expected"), "got": label("layout.got")}
    width = max(display_width(name) for name in labels.values())
    lines = []
    for key, value in (("expected", expected), ("got", got)):
        if value is not None:
            name = labels[key]
            lines.append(f"  {name}{' ' * (width - display_width(name))}{value}")
    return lines


def compose(
    headline: str,
    expected=None,
    got=None,
    hint: str | None = None,
    extra: str | None = None,
    *,
    fields: dict | None = None,
    also=(),
    advice: str | None = None,
) -> str:
    """Assemble a failure message: headline, expected/got, then the likely cause (``hint``, a confirmed one,
    filled with ``fields``; ``also``: other causes that give the very same values), or, when no cause is
    confirmed, ``advice``: what to check, under its own label."""
    lines = [headline, *labelled(expected, got)]
    if extra:
        lines.append(extra)
    if hint:
        lines.append(label("layout.cause") + text(hint, **(fields or {})))
        lines.extend(label("layout.or_cause") + text(other) for other in also)
    elif advice:
        lines.append(label("layout.advice") + text(advice))
    return "\n".join(lines)


def fail(
    headline: str,
    expected=None,
    got=None,
    hint: str | None = None,
    extra: str | None = None,
    *,
    fields: dict | None = None,
    also=(),
    advice: str | None = None,
) -> NoReturn:
    raise CheckFailed(compose(headline, expected, got, hint, extra, fields=fields, also=also, advice=advice), hint)


def _matching_hints(got: np.ndarray, mistakes, rtol, atol) -> list[str]:
    """The hints of the known mistakes whose values ``got`` equals, each once, in the check's order: usually one;
    two when two mistakes give the same values on these inputs. A mistake is ``(hint, values)``, compared with
    the comparison's tolerance, or ``(hint, values, {"rtol": ..., "atol": ...})`` with its own (values far
    inside the comparison's atol are told apart by their relative error). A mistake whose values are all
    within the tolerance of 0 is not confirmed by an answer of zeros: nothing tells the two apart. ``mistakes``
    may be a function that returns that list, called only here, once an answer is known to be wrong."""
    found = []
    if callable(mistakes):  # computed only now, for a wrong answer (a list of reference runs takes time)
        mistakes = mistakes()
    for hint, variant, *own in mistakes or ():
        tolerance = own[0] if own else {"rtol": rtol, "atol": atol}
        variant = np.asarray(variant, dtype=np.float64)
        if hint in found or variant.shape != got.shape or not np.all(np.isclose(got, variant, **tolerance)):
            continue
        if not np.any(got) and np.all(np.isclose(0.0, variant, rtol=0.0, atol=tolerance["atol"])):
            continue
        found.append(hint)
    return found[:MAX_CAUSES]


def _entry(value) -> str:
    """One entry of an array as a message shows it (6 significant digits)."""
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)[:20]


def _nested(array: np.ndarray, entries: list[str]) -> str:
    """``entries`` (one per element of ``array``, in C order) bracketed like the array: ``[[1, 2], [3, 4]]``."""
    if array.ndim == 0:
        return entries[0]
    if array.ndim == 1:
        return "[" + ", ".join(entries) + "]"
    step = len(entries) // array.shape[0] if array.shape[0] else 0
    return "[" + ", ".join(_nested(array[i], entries[i * step : (i + 1) * step]) for i in range(array.shape[0])) + "]"


def previews(
    expected: np.ndarray,
    got: np.ndarray,
    worst: tuple,
    *,
    kind: str = "array",
    dtype: str | None = None,
    limit: int = PREVIEW,
) -> tuple[str, str, str | None]:
    """(expected, got, note): the two arrays (of one shape) as a message shows them, side by side.

    An array of at most ``limit`` entries is shown whole. A larger one shows the ``limit`` entries
    around ``worst`` (the index of the largest error) along its last axis longer than 1, the other
    indices fixed at ``worst``'s, and ``note`` says which entries these are (``[4:10]``, ``[54:60, 0]``)
    and where the largest error is; ``note`` is None when the whole array is shown. The entries of the
    two are padded to the same width, so that each one sits above its counterpart. ``kind`` is "array"
    (a NumPy array), "tensor" (a torch tensor) or "values" (numbers the check gathered, such as a list of
    losses or the entries of w and b in a row: neither shape nor dtype is the learner's), ``dtype`` the dtype
    to name (each array's own by default).
    """
    shape = tuple(expected.shape)
    note = None
    if expected.size <= limit:
        part_e, part_g, more_before, more_after = expected.ravel(), got.ravel(), False, False
    else:
        axis = max(d for d, n in enumerate(shape) if n > 1)
        start = max(0, min(worst[axis] - limit // 2, shape[axis] - limit))
        stop = min(start + limit, shape[axis])
        index = tuple(slice(start, stop) if d == axis else worst[d] for d in range(len(shape)))
        part_e, part_g = expected[index], got[index]
        more_before, more_after = start > 0, stop < shape[axis]
        region = ", ".join(f"{start}:{stop}" if d == axis else str(worst[d]) for d in range(len(shape)))
        note = text("fmt.preview.window", region=region, index=tuple(int(i) for i in worst))
    entries_e, entries_g = [_entry(v) for v in part_e], [_entry(v) for v in part_g]
    widths = [max(len(a), len(b)) for a, b in zip(entries_e, entries_g, strict=True)]
    out = []
    for array, entries in ((expected, entries_e), (got, entries_g)):
        padded = [entry.rjust(w) for entry, w in zip(entries, widths, strict=True)]
        if note is None:
            body = _nested(array, padded)
        else:
            body = "[" + ", ".join((["…"] if more_before else []) + padded + (["…"] if more_after else [])) + "]"
        key = {"tensor": "fmt.preview.tensor", "values": "fmt.values"}.get(kind, "fmt.array")
        out.append(text(key, body=body, shape=shape, dtype=dtype or array.dtype.name, count=array.size))
    return out[0], out[1], note


def within(got, expected, *, rtol: float, atol: float) -> bool:
    """Whether ``got`` is an array of ``expected``'s exact shape, finite, and within the comparison's tolerance
    (|got - expected| <= atol + rtol * |expected|, the rule every expect_* uses): for a check that needs the
    answer, not a message about it."""
    expected = np.asarray(expected, dtype=np.float64)
    if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype.kind != "f":
        return False
    got = got.astype(np.float64)
    return bool(np.all(np.isfinite(got)) and np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)))


def _close_report(
    what,
    got: np.ndarray,
    expected: np.ndarray,
    rtol,
    atol,
    mistakes,
    default_hint,
    kind: str = "array",
    dtype: str | None = None,
):
    got64, exp64 = got.astype(np.float64), expected.astype(np.float64)
    ok = np.abs(got64 - exp64) <= atol + rtol * np.abs(exp64)
    if np.all(ok):
        return
    error = np.abs(got64 - exp64)
    worst = np.unravel_index(int(np.argmax(np.where(ok, -1.0, error))), error.shape) if error.ndim else ()
    # a relative error means nothing next to an expected value of about zero
    relative = (
        "" if abs(exp64[worst]) <= atol else text("expect.relative", rel_err=float(error[worst] / abs(exp64[worst])))
    )
    # the check's own known mistakes first (equality with a mis-derivation), then the generic hypotheses
    known = _matching_hints(got64, mistakes, rtol, atol)
    finding = None if known else diagnose.values(got64, exp64, rtol, atol)
    cause = (
        {"hint": known[0], "also": known[1:]}
        if known
        else {"hint": finding.key, "fields": finding.fields}
        if finding
        else {"advice": default_hint}
    )
    if error.ndim == 0 or error.size == 1:
        headline = text("expect.value", what=what, abs_err=float(error[worst]), relative=relative, atol=atol, rtol=rtol)
    else:
        headline = text(
            "expect.values",
            what=what,
            bad=int(np.size(ok) - np.count_nonzero(ok)),
            total=int(np.size(ok)),
            abs_err=float(error[worst]),
            relative=relative,
            atol=atol,
            rtol=rtol,
            index=tuple(int(i) for i in worst),
        )
    if got.ndim == 0:  # a single number: no index, no shape
        fail(headline, expected=fmt(float(expected)), got=fmt(float(got)), **cause)
    shown_expected, shown_got, note = previews(expected, got, worst, kind=kind, dtype=dtype)
    fail(headline, expected=shown_expected, got=shown_got, extra=f"  {note}" if note else None, **cause)


def expect_array(
    got,
    expected,
    *,
    what: str,
    rtol: float,
    atol: float,
    dtype=np.float64,
    mistakes=(),
    default_hint: str | None = "hint.formula",
    shape_hints=None,
) -> np.ndarray:
    """``got`` must be an ndarray of ``expected``'s exact shape (and ``dtype``) and close to it.

    ``dtype=None``: numbers the check gathered itself (a list of losses, the entries of w and b in a row), shown
    as so many values rather than as an array of some shape and dtype, which would not be the learner's.
    """
    expected = np.asarray(expected)
    if isinstance(got, RemoteTensor):
        fail(text("expect.type_array", what=what, got=type_name(got)), hint="hint.numpy_not_torch")
    if isinstance(got, numbers.Real) and not isinstance(got, bool) and expected.ndim:
        fail(
            text("expect.type_array", what=what, got=type_name(got)),
            expected=text("fmt.an_array", shape=expected.shape),
            got=fmt(got),
            hint=(shape_hints or {}).get((), "hint.reduced_too_early"),
        )
    if not isinstance(got, np.ndarray):
        fail(text("expect.type_array", what=what, got=type_name(got)), hint=type_hint(got, "array"))
    check_shape(got, expected.shape, what=what, shape_hints=shape_hints, expected=expected, rtol=rtol, atol=atol)
    if dtype is not None and got.dtype != np.dtype(dtype):
        _wrong_dtype(what, got.dtype.name, np.dtype(dtype).name)
    check_finite(got, what)
    _close_report(
        what,
        got,
        expected,
        rtol,
        atol,
        mistakes,
        default_hint,
        kind="array" if dtype is not None else "values",
        dtype=got.dtype.name if dtype is not None else None,
    )
    return got


def check_shape(got, shape, *, what: str, shape_hints=None, expected=None, rtol: float = 1e-5, atol: float = 1e-8):
    """``got`` (an array) has exactly ``shape``; if not, the check's hint for that shape (``shape_hints``), else a
    confirmed reason from the two shapes (and from the values, when ``expected`` is given), else advice."""
    wanted = tuple(shape)
    if tuple(got.shape) != wanted:
        hint = (shape_hints or {}).get(tuple(got.shape))
        finding = None if hint else diagnose.shape(got.shape, wanted, got, expected, rtol, atol)
        cause = (
            {"hint": hint}
            if hint
            else {"hint": finding.key, "fields": finding.fields}
            if finding
            else {"advice": "hint.shape"}
        )
        fail(text("expect.shape", what=what), expected=str(wanted), got=str(tuple(got.shape)), **cause)


def _wrong_dtype(what: str, got: str, wanted: str):
    finding = diagnose.dtype(got, wanted)
    cause = {"hint": finding.key, "fields": finding.fields} if finding else {"hint": "hint.dtype"}
    fail(text("expect.dtype", what=what), expected=wanted, got=got, **cause)


def check_finite(values: np.ndarray, what: str):
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values)
        if bad.any():
            fail(text("expect.not_finite", what=what, count=int(bad.sum())), hint="hint.not_finite")


def expect_float(
    got, expected: float, *, what: str, rtol: float, atol: float, mistakes=(), default_hint: str | None = "hint.formula"
) -> float:
    """``got`` must be a real number (Python or NumPy scalar) close to ``expected``."""
    if isinstance(got, np.ndarray) and got.size == 1:
        fail(text("expect.type_float", what=what, got=type_name(got)), hint="hint.use_float")
    if isinstance(got, RemoteTensor):
        fail(text("expect.type_float", what=what, got=type_name(got)), hint="hint.use_float")
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        fail(
            text("expect.type_float", what=what, got=type_name(got)),
            hint="hint.reduced_too_little" if isinstance(got, np.ndarray) else type_hint(got, "float"),
        )
    value = np.asarray(float(got))
    check_finite(value, what)
    _close_report(what, value, np.asarray(float(expected)), rtol, atol, mistakes, default_hint)
    return float(got)


def expect_tensor_form(
    got, shape, *, what: str, dtype: str | None = "torch.float32", shape_hints=None, expected=None
) -> RemoteTensor:
    """``got`` must be a torch tensor of exactly ``shape`` and ``dtype``, with finite values.

    ``got.dtype`` is the dtype of the bytes that came back (see ``RemoteTensor``).
    """
    if not isinstance(got, RemoteTensor):
        fail(text("expect.type_tensor", what=what, got=type_name(got)), hint=type_hint(got, "tensor"))
    check_shape(got.values, shape, what=what, shape_hints=shape_hints, expected=expected)
    if dtype is not None and got.dtype != dtype:
        _wrong_dtype(what, got.dtype, dtype)
    check_finite(got.values, what)
    return got


def expect_tensor(
    got,
    expected,
    *,
    what: str,
    rtol: float,
    atol: float,
    dtype: str = "torch.float32",
    mistakes=(),
    default_hint: str | None = "hint.formula",
    shape_hints=None,
) -> RemoteTensor:
    """``got`` must be a torch tensor of ``expected``'s exact shape, ``dtype``, close to it."""
    expected = np.asarray(expected)
    expect_tensor_form(got, expected.shape, what=what, dtype=dtype, shape_hints=shape_hints, expected=expected)
    _close_report(what, got.values, expected, rtol, atol, mistakes, default_hint, kind="tensor", dtype=got.dtype)
    return got


def expect_true(
    condition: bool, headline: str, *, expected=None, got=None, hint: str | None = None, advice: str | None = None
):
    """Fail with ``headline`` unless ``condition``: with ``hint`` as the likely cause (one that the failed
    condition confirms), or ``advice`` (what to check, when the condition does not tell the cause)."""
    if not condition:
        fail(headline, expected=expected, got=got, hint=hint, advice=advice)


def expect_inputs_left_alone(function: str, changed, names, allowed=()) -> None:
    """Fail when a call of ``function`` changed one of its arguments (``changed``: positions or keyword names, from
    ``CallResult.changed``) that it should leave alone: every one but ``allowed`` (those its docstring says it
    changes). ``names``: the parameter names, position by position, to name the argument as the learner does."""
    for position in changed:
        name = position if isinstance(position, str) else names[position] if position < len(names) else None
        if name is not None and name in allowed:
            continue
        argument = (
            text("expect.argument_named", name=name)
            if name
            else text("expect.argument_number", number=int(position) + 1)
        )
        fail(text("expect.changed_argument", function=function, argument=argument), hint="hint.leave_inputs_alone")


def probe_left_alone(session, exercise: str, name: str, *args, function: str, names, allowed=(), shared=False):
    """``session.probe(...)``, failing like :func:`expect_inputs_left_alone` when the learner's code it runs changed
    one of the probe's arguments (``names``: the probe's arguments as the learner's functions name them)."""
    value, changed = session.probe(exercise, name, *args, function=function, shared=shared, fingerprints=True)
    expect_inputs_left_alone(function, changed, names, allowed)
    return value

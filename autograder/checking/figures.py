"""Plain data for pictures of the learner's own run, recorded by the checks.

A check calls ``record("loss_curve", function="train", losses=[...])`` with
numbers it already has (values that came back from the sandbox as plain
data, and values computed here by trusted code); the runner attaches what a
check recorded to its result. Only :mod:`autograder.reports.html_report` draws them,
with matplotlib, in the grading process, and only when a report with
pictures was asked for: ``wanted()`` tells a check whether to compute the
extra reference data a picture needs (a reference training curve, say), so
``make grade`` pays nothing for pictures.

Everything recorded is converted to plain, bounded data here (lists of
floats, short strings): nothing made by the learner's code reaches the
drawing code as an object.
"""

from __future__ import annotations

import math
import os

import numpy as np

MAX_VALUES = 20_000  # numbers in one recorded figure (a 100 x 100 heatmap, 10 curves of 2000 epochs)
_current: list[dict] | None = None


def wanted() -> bool:
    """Whether pictures were asked for (``--html``): compute the extra data they need only then."""
    return os.environ.get("AUTOGRADER_FIGURES") == "1"


def begin() -> None:
    """A check starts: what it records from now on belongs to it."""
    global _current
    _current = []


def take() -> list[dict]:
    """What the check that just ended recorded (and forget it)."""
    global _current
    taken, _current = _current or [], None
    return taken


def _plain(value, budget: list[int]):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        budget[0] -= 1
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return value[:200]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot record an array of dtype {value.dtype}")
        value = value.astype(np.float64).tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item, budget) for item in value]
    if isinstance(value, dict):
        return {str(key)[:60]: _plain(item, budget) for key, item in value.items()}
    raise TypeError(f"cannot record a value of type {type(value).__name__}")


def record(kind: str, **data) -> None:
    """Keep the data of one picture of ``kind`` for the current check (ignored outside a check).

    Values are numbers, strings, lists, dicts or NumPy arrays of numbers; non-finite numbers become None.
    A figure with more than ``MAX_VALUES`` numbers is dropped (a picture is not worth a huge report).
    """
    if _current is None:
        return
    budget = [MAX_VALUES]
    plain = _plain(data, budget)
    if budget[0] >= 0:
        _current.append({"kind": kind, **plain})


def sparkline(values, width: int = 40) -> str:
    """A one-line picture of a curve (loss per epoch), on a log scale when it spans more than a decade."""
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if len(numbers) < 2:
        return ""
    if len(numbers) > width:  # one character per group of epochs: the mean of the group
        step = len(numbers) / width
        numbers = [
            float(np.mean(numbers[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)])) for i in range(width)
        ]
    low, high = min(numbers), max(numbers)
    if low > 0 and high / low > 10:
        numbers, low, high = [math.log10(v) for v in numbers], math.log10(low), math.log10(high)
    bars = "▁▂▃▄▅▆▇█"
    if high - low <= 1e-12 * max(1.0, abs(high)):
        return bars[3] * len(numbers)
    return "".join(bars[min(7, int((v - low) / (high - low) * 7.999))] for v in numbers)

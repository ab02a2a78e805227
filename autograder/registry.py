"""How a grading check declares itself (next to the test, as gradescope-utils does).

::

    EXERCISE = "ex1_manual_gradients"

    @check(points=2, function="dloss")
    def test_dloss_scalar(student):
        \"\"\"dloss: matches torch.autograd on single numbers\"\"\"

The docstring's first line is the check's title (its name in every report);
public checks live in ``checks/public`` and may not use the reference
solutions, hidden ones in ``checks/hidden``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckInfo:
    points: float
    function: str
    visibility: str


def check(*, points: float, function: str, visibility: str = "public"):
    """Declare a grading check: its points, the function it grades, public or hidden."""
    if visibility not in ("public", "hidden"):
        raise ValueError(f"visibility must be 'public' or 'hidden', not {visibility!r}")
    if points <= 0:
        raise ValueError("a check is worth a positive number of points")

    def decorate(test):
        test.check_info = CheckInfo(float(points), function, visibility)
        return test

    return decorate

"""Tolerances are calibrated: the reference passes on many seeds (small version of scripts/calibrate.py)."""

import importlib.util
from pathlib import Path

from conftest import MAX

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "calibrate.py"


def _calibrate():
    spec = importlib.util.spec_from_file_location("calibrate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_stays_inside_every_tolerance():
    calibrate = _calibrate()
    worst = calibrate.margins(seeds=25)
    too_tight = {key: (value, calibrate.TOLERANCES[key]) for key, value in worst.items()
                 if not value < 0.6 * calibrate.TOLERANCES[key]}
    assert not too_tight, f"the reference comes within 60% of these tolerances: {too_tight}"


def test_reference_scores_full_marks_whatever_the_learner_side_seeds(sandbox):
    from autograder.grading.runner import grade

    root = Path(__file__).resolve().parent.parent
    for salt in (1, 2, 3, 4, 5):
        report = grade(root / "solutions", sandbox=sandbox, seed_salt=salt)
        assert report.score == MAX, (salt, [t.name for t in report.tests if t.status != "passed"])


def test_time_limits_know_every_request_of_the_checks(sandbox):
    """checks/limits/<exercise>.json has the reference's time for every request the checks make of a correct
    submission (else that request gets the 10 s cap: regenerate with `python scripts/calibrate.py --limits`)."""
    from autograder.grading.runner import grade, reference_seconds
    from autograder.sandbox.client import Limits

    root = Path(__file__).resolve().parent.parent
    timings: dict = {}
    report = grade(root / "solutions", sandbox=sandbox, timings=timings)
    assert report.score == MAX
    table = reference_seconds()
    missing = sorted(set(timings) - set(table))
    assert not missing, f"not in autograder/checks/limits/ (run scripts/calibrate.py --limits --exercise ...): {missing}"
    limits = Limits()
    for key, seconds in timings.items():  # the limit sits well above what a correct call takes, even here
        limit = limits.seconds_for(table[key], limits.call_seconds)
        assert limit >= max(limits.time_floor, 3 * max(seconds)), (key, limit, seconds)


def test_time_limit_rule():
    """A request gets factor x the reference's time, between the floor and the cap; unknown ones the cap."""
    from autograder.sandbox.client import Limits

    limits = Limits(call_seconds=10.0, time_factor=20.0, time_floor=1.0)
    assert limits.seconds_for(None, 10.0) == 10.0
    assert limits.seconds_for(0.001, 10.0) == 1.0
    assert abs(limits.seconds_for(0.12, 10.0) - 2.4) < 1e-9
    assert limits.seconds_for(2.0, 10.0) == 10.0

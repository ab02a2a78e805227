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
    from autograder.runner import grade

    root = Path(__file__).resolve().parent.parent
    for salt in (1, 2, 3, 4, 5):
        report = grade(root / "solutions", sandbox=sandbox, seed_salt=salt)
        assert report.score == MAX, (salt, [t.name for t in report.tests if t.status != "passed"])

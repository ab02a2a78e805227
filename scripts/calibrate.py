"""Evidence that every tolerance lets a correct submission pass, whatever the seeds.

Two parts:

1. ``margins``: the randomised checks' quantities, computed with the reference
   solutions on many data *and* shuffling seeds, against the tolerance each
   check uses. Prints the worst value seen and the tolerance.
2. ``salts``: grade the reference solutions through the real grader with
   different seeds for the learner's side (``seed_salt``); every run must
   score full marks.

Each exercise with randomised checks has ``scripts/calibration/<exercise>.py``:
its ``TOLERANCES`` and a ``margins(seeds, reference, seed_all)`` function.

Run ``python scripts/calibrate.py`` (defaults: 200 seeds, 20 salts); the
kit's tests run a smaller version of both (tests/test_calibration.py).

``python scripts/calibrate.py --limits`` writes ``autograder/checks/limits/<exercise>.json``
instead, one file per exercise: how long the reference solution takes for each
request the checks make (the median over a few gradings of the slowest call of
each), from which the sandbox sets each call's time limit (see
``client.Limits``). Run it after changing a check or a solution;
tests/test_calibration.py fails when a request is missing from the tables.

``--exercise ex5_softmax`` (repeatable; the name or its short form ``ex5``)
runs any of the three for those exercises only: only their checks are graded,
only their calibration file is run, only their limits file is written.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course import registry, tables  # noqa: E402
from autograder.course.reference import load  # noqa: E402
from autograder.course.registry import import_path  # noqa: E402

CALIBRATION = ROOT / "scripts" / "calibration"


def _calibrations(exercises: set[str] | None = None) -> dict:
    """``scripts/calibration/<exercise>.py`` for each exercise that has randomised checks (discovered), or for
    those of ``exercises`` that have one."""
    found = {}
    for path in sorted(CALIBRATION.glob("ex*.py")):
        if exercises is not None and path.stem not in exercises:
            continue
        found[path.stem] = import_path(path, f"calibration_{path.stem}")
    return found


# The tolerances used by the checks (each exercise's are listed in its calibration file).
TOLERANCES = {key: value for module in _calibrations().values() for key, value in module.TOLERANCES.items()}


def _seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def margins(seeds: int, exercises: set[str] | None = None) -> dict[str, float]:
    worst = {}
    for exercise, module in _calibrations(exercises).items():
        worst.update(module.margins(seeds, load(exercise), _seed_all))
    return worst


def _course_exercises(names: list[str] | None) -> list:
    """The course's exercises named in ``names`` (full or short names), or all of them."""
    course = registry.course(include_hidden=True)
    return [course.exercise(name) for name in names] if names else list(course.exercises)


def _only(exercises: set[str] | None) -> set[str] | None:
    """The check names of ``exercises`` (for ``grade(only=...)``), or None: every check."""
    if exercises is None:
        return None
    return {c.test_id for e in _course_exercises(sorted(exercises)) for c in e.checks}


def salts(count: int, exercises: set[str] | None = None) -> list[float]:
    # lazy: the grader costs 0.8-1.2 s after torch, not needed by margins() (python -X importtime, 2026-12-07)
    from autograder.grading.runner import grade
    from autograder.grading.sandboxes import course_sandbox

    scores = []
    with course_sandbox() as sandbox:
        for salt in range(1, count + 1):
            report = grade(ROOT / "solutions", sandbox=sandbox, seed_salt=salt, only=_only(exercises))
            scores.append(report.score)
            failing = [t.name for t in report.tests if t.status != "passed"]
            if failing:
                print(f"salt {salt}: the reference failed {failing}")
    return scores


def reference_times(runs: int = 5, exercises: set[str] | None = None) -> dict[str, float]:
    """Request key -> the median over ``runs`` gradings of the solutions of the slowest such request
    (of ``exercises``' checks only, when given)."""
    # lazy: the grader costs 0.8-1.2 s after torch, not needed by margins() (python -X importtime, 2026-12-07)
    from autograder.grading.runner import grade
    from autograder.grading.sandboxes import course_sandbox

    slowest: dict[str, list[float]] = {}
    with course_sandbox() as sandbox:
        only = _only(exercises)
        grade(ROOT / "solutions", sandbox=sandbox, only=only)  # the sandbox's first submission loads what it preloads
        for _ in range(runs):
            timings: dict[str, list[float]] = {}
            grade(ROOT / "solutions", sandbox=sandbox, timings=timings, only=only)
            for key, seconds in timings.items():
                slowest.setdefault(key, []).append(max(seconds))
    return {key: round(statistics.median(values), 4) for key, values in sorted(slowest.items())}


def write_limits(runs: int = 5, exercises: set[str] | None = None) -> list[Path]:
    """Measure and write ``checks/limits/<exercise>.json`` of ``exercises`` (all by default); no other file."""
    names = {e.name for e in _course_exercises(sorted(exercises) if exercises else None)}
    per_exercise: dict[str, dict[str, float]] = {name: {} for name in names}
    for key, seconds in reference_times(runs, names).items():
        exercise, request = key.split(".", 1)
        if exercise in per_exercise:
            per_exercise[exercise][request] = seconds
    measured_on = f"{os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}"
    return [
        tables.write_reference_seconds(name, seconds, measured_on) for name, seconds in sorted(per_exercise.items())
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--salts", type=int, default=20)
    parser.add_argument("--limits", action="store_true", help="write autograder/checks/limits/<exercise>.json instead")
    parser.add_argument(
        "--exercise",
        action="append",
        metavar="NAME",
        help="only this exercise (ex5 or ex5_softmax; repeat for several): its checks, its files",
    )
    args = parser.parse_args(argv)
    exercises = {e.name for e in _course_exercises(args.exercise)} if args.exercise else None
    if args.limits:
        for written in write_limits(exercises=exercises):
            print(f"wrote {written.relative_to(ROOT)}")
        return 0
    ok = True
    worst = margins(args.seeds, exercises)
    print(f"Reference solutions on {args.seeds} seeds: worst value seen vs the tolerance of the check")
    for key, value in worst.items():
        tolerance = TOLERANCES[key]
        ok &= value < tolerance
        print(f"  {key:<45} worst {value:.2e}   tolerance {tolerance:.2e}   ({value / tolerance:.0%} of it)")
    scores = salts(args.salts, exercises)
    print(f"Reference graded with {len(scores)} different learner-side seeds: scores {sorted(set(scores))}")
    full = sum(e.points for e in _course_exercises(sorted(exercises) if exercises else None))
    ok &= all(score == full for score in scores)
    print("OK" if ok else "FAILED: a tolerance is too tight")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

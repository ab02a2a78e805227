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

``python scripts/calibrate.py --limits`` writes ``autograder/checks/time_limits.json``
instead: how long the reference solutions take for each request the checks
make (the median over a few gradings of the slowest call of each), from which
the sandbox sets each call's time limit (see ``client.Limits``). Run it after
changing a check or a solution; tests/test_calibration.py fails when a
request is missing from the table.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course.reference import load  # noqa: E402

CALIBRATION = ROOT / "scripts" / "calibration"


def _calibrations() -> dict:
    """``scripts/calibration/<exercise>.py`` for each exercise that has randomised checks (discovered)."""
    found = {}
    for path in sorted(CALIBRATION.glob("ex*.py")):
        spec = importlib.util.spec_from_file_location(f"calibration_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[path.stem] = module
    return found


# The tolerances used by the checks (each exercise's are listed in its calibration file).
TOLERANCES = {key: value for module in _calibrations().values() for key, value in module.TOLERANCES.items()}


def _seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def margins(seeds: int) -> dict[str, float]:
    worst = {}
    for exercise, module in _calibrations().items():
        worst.update(module.margins(seeds, load(exercise), _seed_all))
    return worst


def salts(count: int) -> list[float]:
    from autograder.grading.runner import grade
    from autograder.grading.sandboxes import course_sandbox

    scores = []
    with course_sandbox() as sandbox:
        for salt in range(1, count + 1):
            report = grade(ROOT / "solutions", sandbox=sandbox, seed_salt=salt)
            scores.append(report.score)
            failing = [t.name for t in report.tests if t.status != "passed"]
            if failing:
                print(f"salt {salt}: the reference failed {failing}")
    return scores


def reference_times(runs: int = 5) -> dict[str, float]:
    """Request key -> the median over ``runs`` gradings of the solutions of the slowest such request."""
    import statistics

    from autograder.grading.runner import grade
    from autograder.grading.sandboxes import course_sandbox

    slowest: dict[str, list[float]] = {}
    with course_sandbox() as sandbox:
        grade(ROOT / "solutions", sandbox=sandbox)  # the sandbox's first submission loads what it preloads
        for _ in range(runs):
            timings: dict[str, list[float]] = {}
            grade(ROOT / "solutions", sandbox=sandbox, timings=timings)
            for key, seconds in timings.items():
                slowest.setdefault(key, []).append(max(seconds))
    return {key: round(statistics.median(values), 4) for key, values in sorted(slowest.items())}


def write_limits(runs: int = 5) -> Path:
    import json
    import platform

    from autograder.grading.runner import TIME_LIMITS

    table = {"about": "seconds the reference solutions take per sandbox request (scripts/calibrate.py --limits); "
                      "the time limit of a request is client.Limits.seconds_for(these seconds)",
             "measured_on": f"{os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}",
             "seconds": reference_times(runs)}
    TIME_LIMITS.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    return TIME_LIMITS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--salts", type=int, default=20)
    parser.add_argument("--limits", action="store_true", help="write autograder/checks/time_limits.json instead")
    args = parser.parse_args(argv)
    if args.limits:
        written = write_limits()
        print(f"wrote {written.relative_to(ROOT)}")
        return 0
    ok = True
    worst = margins(args.seeds)
    print(f"Reference solutions on {args.seeds} seeds: worst value seen vs the tolerance of the check")
    for key, value in worst.items():
        tolerance = TOLERANCES[key]
        ok &= value < tolerance
        print(f"  {key:<45} worst {value:.2e}   tolerance {tolerance:.2e}   ({value / tolerance:.0%} of it)")
    scores = salts(args.salts)
    print(f"Reference graded with {len(scores)} different learner-side seeds: scores {sorted(set(scores))}")
    from autograder.course import registry

    ok &= all(score == registry.course(include_hidden=True).max_score for score in scores)
    print("OK" if ok else "FAILED: a tolerance is too tight")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Gradescope's side: grade /autograder/submission, write /autograder/results/results.json.

Follows Gradescope's autograder specification: ``score``,
``execution_time``, ``output``, ``stdout_visibility`` and ``tests[]`` (with
``name``, ``number``, ``score``, ``max_score``, ``status``, ``output``,
``visibility``). Hidden checks are ``after_published``. A results file is
written whatever happens; when the grader itself fails the student is told
so, and the traceback goes to stdout, which only instructors see.

Gradescope runs this as root. The submission is read as an unprivileged
user (links and hard links to the grader's files read nothing) and runs in
the sandbox at the strongest level the container allows (see the README's
threat model): it cannot read the grader, the solutions or the hidden
checks, nor write the results. Below the ``namespaces`` level the runner
refuses to grade (every student would get 0 with a message for the
instructor) unless the bundle was built with ``--allow-weak-sandbox`` or
``AUTOGRADER_ALLOW_WEAK_SANDBOX=1`` is set; the level is printed in the
(hidden) stdout. ``GRADESCOPE_ROOT`` moves ``/autograder`` (the kit's tests
use it).
"""

from __future__ import annotations

import json
import os
import pwd
import time
import traceback
from pathlib import Path

from . import registry
from .messages import text
from .results import write_atomic

VISIBILITY = {"public": "visible", "hidden": "after_published"}


WEAK_ENV = "AUTOGRADER_ALLOW_WEAK_SANDBOX"


def unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) to read and run the submission as, when we are root; None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        user = pwd.getpwnam(os.environ.get("AUTOGRADER_SANDBOX_USER", "nobody"))
    except KeyError:
        return 65534, 65534
    return user.pw_uid, user.pw_gid


def weak_allowed() -> bool:
    return os.environ.get(WEAK_ENV, "").strip().lower() in ("1", "yes", "true")


def to_gradescope(report, seconds: float) -> dict:
    numbers = {e.name: e.number for e in registry.course(include_hidden=False).exercises}
    counters: dict[str, int] = {}
    tests = []
    for test in report.tests:
        counters[test.exercise] = counters.get(test.exercise, 0) + 1
        tests.append({
            "name": test.name,
            "number": f"{numbers.get(test.exercise, 0)}.{counters[test.exercise]}",
            "score": float(test.score),
            "max_score": float(test.max_score),
            "status": "passed" if test.status == "passed" else "failed",
            "output": test.message if test.status != "passed" else "",
            "visibility": VISIBILITY[test.visibility],
        })
    summary = [text("gradescope.summary", score=f"{report.score:g}", max_score=f"{report.max_score:g}")]
    summary.extend(report.notes)
    return {"score": float(report.score), "execution_time": int(round(seconds)), "output": "\n".join(summary),
            "stdout_visibility": "hidden", "tests": tests}


def failure_results(seconds: float) -> dict:
    return {"score": 0.0, "execution_time": int(round(seconds)), "output": text("gradescope.grader_failed"),
            "stdout_visibility": "hidden", "tests": []}


def run(root: Path | None = None) -> int:
    root = Path(root or os.environ.get("GRADESCOPE_ROOT", "/autograder"))
    results = root / "results" / "results.json"
    started = time.monotonic()
    try:
        from .runner import grade
        from .sandbox.client import Limits, Sandbox

        ids = unprivileged_ids()
        limits = Limits(uid=ids[0], gid=ids[1]) if ids else Limits()
        with Sandbox() as sandbox:
            level = sandbox.level_now()
            print(f"sandbox level: {level}" + (f" (namespaces refused: {sandbox.refusal})" if sandbox.refusal else ""))
            if level != "namespaces" and not weak_allowed():
                print(f"Refusing to grade: the sandbox level is {level!r}, below 'namespaces'. Set {WEAK_ENV}=1 "
                      "(or build with `python -m autograder build gradescope --allow-weak-sandbox`) to grade anyway.")
                data = failure_results(time.monotonic() - started)
            else:
                if level != "namespaces":
                    print(f"grading with a weak sandbox ({level}) because {WEAK_ENV} is set")
                report = grade(root / "submission", sandbox=sandbox, limits=limits, stage_as=ids)
                data = to_gradescope(report, time.monotonic() - started)
                print(report.render("submission"))
    except BaseException:  # noqa: BLE001 - always leave a results file behind
        traceback.print_exc()
        data = failure_results(time.monotonic() - started)
    write_atomic(results, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0

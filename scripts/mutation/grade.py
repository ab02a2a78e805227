"""Grade mutants with the kit's own grader: each one a submission holding only its exercise file.

The checks of that exercise run (public and hidden: the hidden ones need the
reference solutions, which the checkout has), in the sandbox, with the
grader's real time limits, exactly as ``python -m autograder grade`` would
run them. ``jobs`` processes grade at once, each with a sandbox of its own
(as ``batch -j`` does); with ``sandbox`` given, one at a time in this process.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import registry

# What became of a mutant: killed by a lost point, by a time limit, by the grader itself failing (a defect
# of the grader to look at, not a kill to be proud of); or it kept full marks.
KILLED, TIMEOUT, GRADER_ERROR, SURVIVED = "killed", "timed out", "grader error", "survived"

_SANDBOX = None  # one per pool process


@dataclass
class CheckScore:
    test_id: str
    function: str
    uses: tuple
    score: float
    points: float
    status: str
    visibility: str


@dataclass
class Outcome:
    status: str  # KILLED, TIMEOUT, GRADER_ERROR or SURVIVED
    score: float
    max_score: float
    seconds: float
    checks: list[CheckScore] = field(default_factory=list)
    debug: str = ""


def classify(checks: list[CheckScore], points: float) -> str:
    """A learner's exception is an "error" too: it counts as a kill, like any lost point (grader errors,
    which carry a traceback of the grader's, are told apart in :func:`grade_one`)."""
    if any(c.status == "timeout" for c in checks):
        return TIMEOUT
    if sum(c.score for c in checks) < points - 1e-9:
        return KILLED
    return SURVIVED


def grade_one(exercise: str, source: str, sandbox) -> Outcome:
    """Grade ``source`` as the submission's ``exercise`` file, with that exercise's checks only."""
    # lazy: the grader (0.8-1.2 s, python -X importtime, 2026-12-07) loads in the grading processes only
    from autograder.grading.runner import grade

    course = registry.course(include_hidden=True)
    points = course.exercise(exercise).points
    only = {c.test_id for c in course.exercise(exercise).checks}
    folder = Path(tempfile.mkdtemp(prefix="mutant-"))
    start = time.perf_counter()
    try:
        (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
        report = grade(folder, sandbox=sandbox, include_hidden=True, only=only)
    except Exception:  # noqa: BLE001 - the grader failed on this mutant: say so, go on with the others
        return Outcome(GRADER_ERROR, 0.0, points, time.perf_counter() - start, debug=traceback.format_exc())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    checks = [
        CheckScore(t.test_id, t.function, tuple(t.uses), float(t.score), float(t.max_score), t.status, t.visibility)
        for t in report.tests
    ]
    debug = "\n".join(t.debug for t in report.tests if t.debug)
    status = GRADER_ERROR if debug else classify(checks, points)
    return Outcome(status, report.score, points, time.perf_counter() - start, checks, debug)


def _init_worker():
    global _SANDBOX
    # lazy: the grader (0.8-1.2 s, python -X importtime, 2026-12-07) loads in the grading processes only
    from autograder.grading import runner
    from autograder.grading.sandboxes import course_sandbox

    _SANDBOX = course_sandbox()
    runner.preload(True)


def _grade_in_worker(exercise: str, source: str) -> Outcome:
    return grade_one(exercise, source, _SANDBOX)


def grade_all(jobs_: list[tuple[str, str]], jobs: int = 2, sandbox=None, progress=None) -> list[Outcome]:
    """Grade each ``(exercise, source)``; ``progress(done, total)`` after each. Results in the same order."""
    results: list[Outcome | None] = [None] * len(jobs_)
    done = 0
    if sandbox is not None or jobs <= 1:
        # lazy: the grader (0.8-1.2 s, python -X importtime, 2026-12-07) loads in the grading processes only
        from autograder.grading.sandboxes import course_sandbox

        own = sandbox is None
        sandbox = sandbox or course_sandbox()
        try:
            for index, (exercise, source) in enumerate(jobs_):
                results[index] = grade_one(exercise, source, sandbox)
                done += 1
                if progress:
                    progress(done, len(jobs_))
        finally:
            if own:
                sandbox.close()
        return results
    context = multiprocessing.get_context("spawn")  # fresh interpreters: never fork a process holding torch
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker) as pool:
        futures = {
            pool.submit(_grade_in_worker, exercise, source): index for index, (exercise, source) in enumerate(jobs_)
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                results[index] = future.result()
            except Exception:  # noqa: BLE001 - a pool process died: the grader's problem, recorded as such
                exercise = jobs_[index][0]
                results[index] = Outcome(
                    GRADER_ERROR,
                    0.0,
                    registry.course(True).exercise(exercise).points,
                    0.0,
                    debug=traceback.format_exc(),
                )
            done += 1
            if progress:
                progress(done, len(jobs_))
    return results

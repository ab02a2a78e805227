"""Grade a whole class: one folder or .zip per student, in parallel, into a CSV gradebook.

``python -m autograder batch DIR --out grades.csv [-j N]`` grades every
submission in ``DIR`` and writes

* ``grades.csv``: one row per student (``student``, the points of each
  exercise, ``total``, ``max_score``, ``status``), ready to import into an
  LMS gradebook;
* ``<out stem>_reports/<student>.json``: each student's full report, in the
  schema of ``python -m autograder grade --json``.

``DIR`` may also be a Gradescope "export submissions" download: folders
``submission_<id>`` next to ``submission_metadata.yml``, which names the
students. A broken, empty or hostile submission never stops the batch; its
row says what happened.

With ``--lms canvas`` or ``--lms moodle``, ``grades.csv`` is instead a file that
LMS imports into the assignment's gradebook column (see :mod:`autograder.reports.lms`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tqdm import tqdm

from autograder.course import registry
from autograder.grading import runner
from autograder.grading.class_folder import Entry, discover, select
from autograder.grading.results import write_atomic
from autograder.grading.sandboxes import course_sandbox
from autograder.grading.submission import remove_orphaned_folders
from autograder.reports.classrun import Submission, gradebook_csv, graded, report_names, row_of, to_json
from autograder.sandbox.client import LEVEL_ENV, probe_level

_SANDBOX = None  # one per worker process
_LIMITS = None


class WeakSandbox(RuntimeError):
    """This machine gives no namespace sandbox and the instructor did not allow a weaker one."""


def _init_worker(limits, level):
    """One sandbox per pool process, at exactly the level the batch was started with (never lower)."""
    global _SANDBOX, _LIMITS
    os.environ[LEVEL_ENV] = level
    _SANDBOX, _LIMITS = course_sandbox(), limits
    runner.preload(registry.course().hidden_included)  # the checks and torch, while the sandbox imports its own
    granted = _SANDBOX.level_now()
    if granted != level:
        raise RuntimeError(f"this grading process got the sandbox level {granted!r}, not {level!r}")


def _grade_one(student: str, path: str) -> Submission:
    try:
        report = runner.grade(Path(path), sandbox=_SANDBOX, limits=_LIMITS)
    except Exception:  # noqa: BLE001 - the batch goes on; the row says what happened
        return Submission(student, None, "grader error", debug=traceback.format_exc())
    return graded(student, report)


def _quietly(function) -> None:
    try:
        function()
    except Exception:  # noqa: BLE001 - whoever calls it next meets the same error
        pass


def _grade_all(entries: list[Entry], jobs: int, limits, level: str, bar) -> list[Submission]:
    """Grade in a pool of processes; a pool that breaks (a process killed) is replaced, its work regraded."""
    results: dict[int, Submission] = {}
    attempts: dict[int, int] = {}
    pending = list(range(len(entries)))
    context = multiprocessing.get_context("spawn")  # fresh interpreters: never fork a process holding torch
    while pending:
        broken = False
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(pending)), mp_context=context, initializer=_init_worker, initargs=(limits, level)
        ) as pool:
            futures = {pool.submit(_grade_one, entries[i].student, str(entries[i].path)): i for i in pending}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    results[index] = future.result()
                    bar.update(1)
                except BrokenProcessPool:
                    broken = True
                except Exception:  # noqa: BLE001 - record it and go on
                    results[index] = Submission(
                        entries[index].student, None, "grader error", debug=traceback.format_exc()
                    )
                    bar.update(1)
        pending = [i for i in pending if i not in results]
        if broken:
            remove_orphaned_folders()  # what the killed process staged (below `namespaces`)
            for index in pending:
                attempts[index] = attempts.get(index, 0) + 1
            for index in [i for i in pending if attempts[i] > 2]:  # broke the pool every time
                results[index] = Submission(
                    entries[index].student, None, "grader error: the grading process was killed"
                )
                bar.update(1)
            pending = [i for i in pending if i not in results]
    return [results[i] for i in range(len(entries))]


def run_batch(
    folder: Path,
    out: Path,
    jobs: int | None = None,
    limits=None,
    progress: bool = True,
    allow_weak: bool = False,
    lms: bool = False,
    shard: tuple[int, int] | None = None,
) -> list[dict[str, str]]:
    """Grade every submission in ``folder``; write the CSV and the JSON reports; return the rows.

    Refuses (:class:`WeakSandbox`) where namespaces are refused, unless ``allow_weak``. With ``lms`` (true:
    ``out`` is to be an LMS's gradebook, which :func:`export.write_outputs` writes from the reports) the plain
    CSV is ``<out stem>_batch.csv``; the reports are ``<out stem>_reports/`` either way.
    """
    level, refusal = probe_level()
    if level != "namespaces" and not allow_weak:
        raise WeakSandbox(
            f"this machine gives the sandbox only the {level!r} level ({refusal or 'no namespaces'}); "
            "a hostile submission could then change grades. Grade on a machine that allows user "
            "namespaces, or pass --allow-weak-sandbox to grade anyway (every row will say so)."
        )
    entries = select(discover(folder), shard)  # shard (K, N): a deterministic 1/N (see shards.py)
    reports_dir = out.with_name(f"{out.stem}_reports")
    reports_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(entries) or 1))
    bar = tqdm(total=len(entries), unit="submission", disable=not progress, desc="Grading")
    # the gradebook's columns come from the course, whose discovery imports the checks (and torch): here it
    # runs while the pool grades, not after it (an error is met again, and reported, below)
    course = threading.Thread(target=_quietly, args=(registry.course,), name="course", daemon=True)
    course.start()
    try:
        results = _grade_all(entries, jobs, limits, level, bar) if entries else []
    finally:
        bar.close()
    course.join()
    for entry, result in zip(entries, results, strict=True):
        result.folder, result.submitters = entry.folder, entry.submitters
    results.sort(key=lambda r: r.student)
    for result, name in zip(results, report_names([r.student for r in results]), strict=True):
        write_atomic(reports_dir / f"{name}.json", to_json(result))
    rows = [row_of(r, allowed_weak=allow_weak) for r in results]
    # with an LMS, ``out`` is its gradebook (written from the reports: export.write_outputs) and the plain CSV
    # goes beside it
    write_atomic(out.with_name(f"{out.stem}_batch.csv") if lms else out, gradebook_csv(rows))
    return rows

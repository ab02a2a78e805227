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
LMS imports into the assignment's gradebook column (see :mod:`autograder.channels.lms`).
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder.course import registry
from autograder.reports.gradebook import Person, safe_name, spreadsheet_safe

SKIP = {"__MACOSX", ".DS_Store", "submission_metadata.yml"}
_SANDBOX = None  # one per worker process
_LIMITS = None


@dataclass
class Entry:
    student: str
    path: Path
    submitters: tuple = ()  # gradebook.Person of each submitter, from a Gradescope export's metadata

    @property
    def folder(self) -> str:
        return self.path.name[:-4] if self.path.suffix.lower() == ".zip" else self.path.name


def _gradescope_submitters(folder: Path) -> dict[str, tuple]:
    """``submission_<id>`` -> its submitters (:class:`gradebook.Person`), from Gradescope's submission_metadata.yml."""
    metadata = folder / "submission_metadata.yml"
    if not metadata.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    found = {}
    for key, value in data.items() if isinstance(data, dict) else []:
        value = value if isinstance(value, dict) else {}
        people = []
        for person in value.get(":submitters") or value.get("submitters") or []:
            person = person if isinstance(person, dict) else {}

            def field(name, person=person):
                got = person.get(f":{name}") or person.get(name)
                return "" if got is None else str(got).strip()

            people.append(Person(name=field("name"), email=field("email"), sid=field("sid")))
        if people:
            found[str(key)] = tuple(people)
    return found


def _label(people) -> str:
    """The batch's name for a Gradescope submission: each submitter's SID, else e-mail, else name."""
    return "+".join(label for p in people if (label := p.sid or p.email or p.name))


def discover(folder: Path) -> list[Entry]:
    """One entry per sub-folder or .zip of ``folder`` (hidden files and metadata skipped)."""
    submitters = _gradescope_submitters(folder)
    entries = []
    for path in sorted(folder.iterdir()):
        if path.name in SKIP or path.name.startswith("."):
            continue
        if path.is_dir() or path.suffix.lower() == ".zip":
            stem = path.name[:-4] if path.suffix.lower() == ".zip" else path.name
            people = submitters.get(stem, ())
            entries.append(Entry(_label(people) or stem, path, people))
    return entries


class WeakSandbox(RuntimeError):
    """This machine gives no namespace sandbox and the instructor did not allow a weaker one."""


def _init_worker(limits, level):
    """One sandbox per pool process, at exactly the level the batch was started with (never lower)."""
    global _SANDBOX, _LIMITS
    from autograder.grading.sandboxes import course_sandbox
    from autograder.sandbox.client import LEVEL_ENV

    os.environ[LEVEL_ENV] = level
    _SANDBOX, _LIMITS = course_sandbox(), limits
    from autograder.grading import runner  # the checks and torch, imported while the sandbox imports its own torch

    runner.preload(registry.course().hidden_included)
    granted = _SANDBOX.level_now()
    if granted != level:
        raise RuntimeError(f"this grading process got the sandbox level {granted!r}, not {level!r}")


def _grade_one(student: str, path: str) -> dict:
    from autograder.grading.runner import grade

    try:
        report = grade(Path(path), sandbox=_SANDBOX, limits=_LIMITS)
    except Exception:  # noqa: BLE001 - the batch goes on; the row says what happened
        return {"student": student, "report": None, "status": "grader error", "debug": traceback.format_exc()}
    return {
        "student": student,
        "report": report.to_dict(),
        "status": status_of(report),
        "notes": report.notes,
        "read_problems": list(report.read_problems),
        "unattempted": unattempted(report),
    }


def unattempted(report) -> list[str]:
    """The checks of functions not attempted: still ``NotImplementedError``, or their file missing."""
    return [t.name for t in report.tests if t.not_implemented or t.cause == "MissingFile"]


def status_of(report) -> str:
    """A short phrase for the gradebook: ok, or what went wrong (what could not be read first)."""
    from autograder.grading.submission import PROBLEMS

    read = [PROBLEMS[kind] for kind in getattr(report, "read_problems", ()) if kind in PROBLEMS]
    problems = list(read)
    missing = sorted({t.exercise for t in report.tests if t.cause == "MissingFile"})
    if missing:
        problems.append("missing " + " ".join(missing))
    # a syntax error is an import that failed (the runner names its cause apart, to show it once, at its line)
    causes = {
        ("ImportFailed", "SyntaxError", "Encoding"): "could not be imported",
        ("StudentCrash",): "crashed",
        ("StudentTimeout",): "timed out",
    }
    for names, words in causes.items():
        hit = sorted({t.exercise for t in report.tests if t.cause in names})
        if hit:
            problems.append(f"{' '.join(hit)} {words}")
    if report.tests and all(t.cause == "MissingFile" for t in report.tests):
        problems = read + ["nothing could be graded"] if read else ["empty submission: no exercise file found"]
    elif report.tests and all(t.not_implemented or t.cause == "MissingFile" for t in report.tests):
        problems.append("nothing implemented")
    return "; ".join(problems) or "ok"


def row_of(result: dict, allowed_weak: bool = False) -> dict:
    row = {"student": spreadsheet_safe(result["student"])}
    report = result["report"]
    for exercise in registry.names():
        tests = [t for t in report["tests"] if t["exercise"] == exercise] if report else []
        row[exercise] = f"{sum(t['score'] for t in tests):g}"
    row["total"] = f"{report['score']:g}" if report else "0"
    row["max_score"] = f"{report['max_score']:g}" if report else ""
    row["status"] = spreadsheet_safe(result["status"])
    level = report.get("isolation", "") if report else ""
    row["sandbox"] = f"{level} (--allow-weak-sandbox)" if level and level != "namespaces" and allowed_weak else level
    return row


def batch_record(result: dict) -> dict:
    """The batch's own facts about one submission, kept in its JSON report (beside the ``grade --json`` keys)."""
    return {
        "student": result["student"],
        "folder": result.get("folder", result["student"]),
        "submitters": [{"name": p.name, "email": p.email, "sid": p.sid} for p in result.get("submitters") or ()],
        "status": result["status"],
        "graded": result["report"] is not None,
        "read_problems": list(result.get("read_problems", ())),
        "notes": list(result.get("notes", ())),
        "unattempted": list(result.get("unattempted", ())),
    }


def _quietly(function) -> None:
    try:
        function()
    except Exception:  # noqa: BLE001 - whoever calls it next meets the same error
        pass


def _grade_all(entries: list[Entry], jobs: int, limits, level: str, bar) -> list[dict]:
    """Grade in a pool of processes; a pool that breaks (a process killed) is replaced, its work regraded."""
    from concurrent.futures.process import BrokenProcessPool

    results: dict[int, dict] = {}
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
                    results[index] = {
                        "student": entries[index].student,
                        "report": None,
                        "status": "grader error",
                        "debug": traceback.format_exc(),
                    }
                    bar.update(1)
        pending = [i for i in pending if i not in results]
        if broken:
            from autograder.grading.submission import remove_orphaned_folders

            remove_orphaned_folders()  # what the killed process staged (below `namespaces`)
            for index in pending:
                attempts[index] = attempts.get(index, 0) + 1
            for index in [i for i in pending if attempts[i] > 2]:  # broke the pool every time
                results[index] = {
                    "student": entries[index].student,
                    "report": None,
                    "status": "grader error: the grading process was killed",
                    "debug": "",
                }
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
) -> list[dict]:
    """Grade every submission in ``folder``; write the CSV and the JSON reports; return the rows.

    Refuses (:class:`WeakSandbox`) where namespaces are refused, unless ``allow_weak``. With ``lms`` (true:
    ``out`` is to be an LMS's gradebook, which :func:`export.write_outputs` writes from the reports) the plain
    CSV is ``<out stem>_batch.csv``; the reports are ``<out stem>_reports/`` either way.
    """
    from tqdm import tqdm

    from autograder.grading.results import write_atomic
    from autograder.sandbox.client import probe_level

    level, refusal = probe_level()
    if level != "namespaces" and not allow_weak:
        raise WeakSandbox(
            f"this machine gives the sandbox only the {level!r} level ({refusal or 'no namespaces'}); "
            "a hostile submission could then change grades. Grade on a machine that allows user "
            "namespaces, or pass --allow-weak-sandbox to grade anyway (every row will say so)."
        )
    from autograder.channels.shards import select

    entries = select(discover(folder), shard)  # shard (K, N): a deterministic 1/N (see shards.py)
    reports_dir = out.with_name(f"{out.stem}_reports")
    reports_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(entries) or 1))
    bar = tqdm(total=len(entries), unit="submission", disable=not progress, desc="Grading")
    # the gradebook's columns come from the course, whose discovery imports the checks (and torch): here it
    # runs while the pool grades, not after it (an error is met again, and reported, below)
    columns = threading.Thread(target=_quietly, args=(registry.course,), name="course", daemon=True)
    columns.start()
    try:
        results = _grade_all(entries, jobs, limits, level, bar) if entries else []
    finally:
        bar.close()
    columns.join()
    for entry, result in zip(entries, results):
        result["folder"], result["submitters"] = entry.folder, entry.submitters
    results.sort(key=lambda r: r["student"])
    used = set()
    for result in results:
        name = safe_name(result["student"])
        while name in used:
            name += "_"
        used.add(name)
        payload = dict(
            result["report"] or {"score": 0.0, "max_score": 0.0, "tests": [], "error": result.get("debug", "")}
        )
        payload["batch"] = batch_record(result)  # what `export` needs to write every output again, with no regrade
        write_atomic(reports_dir / f"{name}.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    rows = [row_of(r, allowed_weak=allow_weak) for r in results]
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["student", *registry.names(), "total", "max_score", "status", "sandbox"]
    )
    writer.writeheader()
    writer.writerows(rows)
    # with an LMS, ``out`` is its gradebook (written from the reports: export.write_outputs) and the plain CSV
    # goes beside it
    write_atomic(out.with_name(f"{out.stem}_batch.csv") if lms else out, buffer.getvalue())
    return rows

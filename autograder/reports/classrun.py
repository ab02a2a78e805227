"""A graded class, as ``batch`` grades it and ``export`` and ``merge`` read it back: one :class:`Submission` per
student, holding its :class:`~autograder.grading.results.Report` until a file is written.

Its files: the gradebook's row of each student (:func:`row_of`, the plain CSV), and each student's full report
in ``<out stem>_reports/<name>.json`` (:func:`to_json`: the keys of ``grade --json`` plus a ``batch`` record of
the student, the folder, a Gradescope export's submitters, the status, what could not be read, the checks not
attempted), from which :func:`load_run` reads a past run again, with no regrade.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import registry
from autograder.grading.class_folder import Person
from autograder.grading.results import Report
from autograder.grading.submission import PROBLEMS
from autograder.reports.gradebook import safe_name, spreadsheet_safe


class ExportError(ValueError):
    """A source that holds no graded run (the message says what was expected)."""


@dataclass
class Submission:
    """One student's submission in a graded class."""

    student: str  # the batch's name for it (the plain CSV's `student`, before spreadsheet protection)
    report: Report | None  # None: the grader itself failed (no score to publish)
    status: str  # "ok", or what went wrong (:func:`status_of`)
    folder: str = ""  # the sub-folder or .zip (without .zip) it came from (default: the student)
    submitters: tuple[Person, ...] = ()  # from a Gradescope export; empty for a plain folder
    read_problems: list[str] = field(default_factory=list)  # why files could not be read (submission.PROBLEMS)
    notes: list[str] = field(default_factory=list)  # about the submission as a whole
    unattempted: list[str] = field(default_factory=list)  # the checks of functions not attempted
    debug: str = ""  # the grader's traceback, when it failed

    def __post_init__(self) -> None:
        self.folder = self.folder or self.student


def unattempted(report: Report) -> list[str]:
    """The checks of functions not attempted: still ``NotImplementedError``, or their file missing."""
    return [t.name for t in report.tests if t.not_implemented or t.cause == "MissingFile"]


def status_of(report: Report) -> str:
    """A short phrase for the gradebook: ok, or what went wrong (what could not be read first)."""
    read = [PROBLEMS[kind] for kind in report.read_problems if kind in PROBLEMS]
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


def graded(student: str, report: Report) -> Submission:
    """The submission of a report the grader produced."""
    return Submission(
        student,
        report,
        status_of(report),
        read_problems=list(report.read_problems),
        notes=list(report.notes),
        unattempted=unattempted(report),
    )


# ----------------------------------------------------------------------------- the files of a run


def columns() -> list[str]:
    """The plain gradebook's header: the student, each exercise's points, the total and how it was graded."""
    return ["student", *registry.names(), "total", "max_score", "status", "sandbox"]


def row_of(result: Submission, allowed_weak: bool = False) -> dict[str, str]:
    """The plain gradebook's row of ``result`` (every number the sum of its checks' points)."""
    report = result.report
    row = {"student": spreadsheet_safe(result.student)}
    for exercise in registry.names():
        row[exercise] = f"{sum(t.score for t in report.tests if t.exercise == exercise) if report else 0:g}"
    row["total"] = f"{report.score:g}" if report else "0"
    row["max_score"] = f"{report.max_score:g}" if report else ""
    row["status"] = spreadsheet_safe(result.status)
    level = report.isolation if report else ""
    row["sandbox"] = f"{level} (--allow-weak-sandbox)" if level and level != "namespaces" and allowed_weak else level
    return row


def gradebook_csv(rows: list[dict[str, str]]) -> str:
    """The plain gradebook's text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns())
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_json(result: Submission) -> str:
    """The text of ``result``'s report file: ``grade --json``'s keys, and the batch's own facts about it."""
    payload = (
        result.report.to_dict()
        if result.report
        else {"score": 0.0, "max_score": 0.0, "tests": [], "error": result.debug}
    )
    payload["batch"] = {  # what `export` needs to write every output again, with no regrade
        "student": result.student,
        "folder": result.folder,
        "submitters": [{"name": p.name, "email": p.email, "sid": p.sid} for p in result.submitters],
        "status": result.status,
        "graded": result.report is not None,
        "read_problems": list(result.read_problems),
        "notes": list(result.notes),
        "unattempted": list(result.unattempted),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def report_names(students: list[str]) -> list[str]:
    """The JSON report file stem of each student, in the order given (unsafe characters replaced, a clash
    resolved by appending ``_``)."""
    used, names = set(), []
    for student in students:
        name = safe_name(student)
        while name in used:
            name += "_"
        used.add(name)
        names.append(name)
    return names


def student_key(cell: str) -> str:
    """The student's name as ``batch`` sorted it (the CSV cell may carry a leading ``'`` against formulas)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r", "\uff1d") else cell


# ----------------------------------------------------------------------------- reading a run again


def reports_folder(source: Path) -> Path:
    """The reports folder of a source: a run's CSV (its ``_reports`` folder beside it) or the folder itself."""
    source = Path(source)
    if source.is_dir():
        return source
    if source.suffix.lower() == ".csv":
        folder = source.with_name(f"{source.stem}_reports")
        if folder.is_dir():
            return folder
        if source.stem.endswith("_batch"):  # `batch --lms --out grades.csv`: grades_batch.csv and grades_reports/
            beside = source.with_name(f"{source.stem.removesuffix('_batch')}_reports")
            if beside.is_dir():
                return beside
        raise ExportError(
            f"{source}: no {folder.name}/ beside it; give a run's CSV with its reports folder, or "
            "the reports folder itself"
        )
    raise ExportError(f"{source} is neither a run's CSV nor a folder of reports")


def _csv_status(source: Path) -> dict[str, str]:
    """student -> the status column of a run's CSV (for reports written before the batch record existed)."""
    if source.is_dir() or not source.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    return {student_key(row.get("student", "")): row.get("status", "") for row in rows}


def load_run(source: Path) -> list[Submission]:
    """The submissions of a graded run, as ``batch`` had them, read from its report files."""
    folder = reports_folder(source)
    statuses = _csv_status(Path(source))
    results = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExportError(f"{path}: not a report ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
            raise ExportError(f"{path}: not a report of `batch` (no tests)")
        record = data.pop("batch", None) or {}
        student = record.get("student") or path.stem
        is_graded = record.get("graded", "error" not in data)
        results.append(
            Submission(
                student=student,
                report=Report.from_dict(data) if is_graded else None,
                status=record.get("status") or statuses.get(student) or ("ok" if is_graded else "grader error"),
                folder=record.get("folder") or student,
                submitters=tuple(
                    Person(**{k: str(p.get(k, "")) for k in ("name", "email", "sid")})
                    for p in record.get("submitters", [])
                    if isinstance(p, dict)
                ),
                read_problems=list(record.get("read_problems", [])),
                notes=list(record.get("notes", [])),
                unattempted=list(record.get("unattempted", [])),
            )
        )
    if not results:
        raise ExportError(f"{folder} holds no report: grade the class with `python -m autograder batch` first")
    results.sort(key=lambda r: r.student)
    return results

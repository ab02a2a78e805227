"""Every instructor's output from a graded run, with no regrade: ``python -m autograder export``.

``batch`` keeps each student's full report in ``<out stem>_reports/<student>.json`` (the keys of
``grade --json`` plus a ``batch`` record: the student, the folder, a Gradescope export's submitters,
the status, what could not be read, the checks not attempted). From those files alone this module
writes the Canvas or Moodle gradebook and the class page; ``batch``, ``merge`` and ``export`` all
take the same options (:func:`add_options`), so a sharded class, or a second LMS, needs no second
grading run::

    python -m autograder export grades.csv --lms moodle --id-field email --points-possible 100
    python -m autograder export grades_reports/ --html class.html --similarity class/

A source is a run's CSV (its ``_reports`` folder beside it) or the reports folder itself.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from autograder.channels.batch import row_of
from autograder.channels.lms import Graded, LmsError, target
from autograder.channels.shards import _student_key
from autograder.reports.class_report import write_class_page
from autograder.reports.gradebook import Person
from autograder.sandbox.client import printable


class ExportError(ValueError):
    """A source that holds no graded run (the message says what was expected)."""


def add_options(parser: argparse.ArgumentParser, grading: bool = False) -> None:
    """The output options shared by ``batch``, ``merge`` and ``export`` (``grading``: batch has its own
    --html, --lang, --lms, --roster, --assignment and --id-field already)."""
    if not grading:
        parser.add_argument(
            "--html",
            metavar="FILE",
            help="also write a page for the whole class: flagged submissions, scores, pass rates, "
            "the mistakes made most",
        )
        parser.add_argument("--lang", metavar="LANG", help="language of the class page: en or zh_CN")
        parser.add_argument("--lms", choices=["canvas", "moodle"], help="write a gradebook this LMS imports")
        parser.add_argument(
            "--roster",
            metavar="CSV",
            help="canvas: the CSV of Canvas's Grades > Export; moodle (optional): a Moodle export "
            "with the --id-field column",
        )
        parser.add_argument(
            "--assignment",
            metavar='"NAME (ID)"',
            help='canvas: the assignment\'s column header in that export, e.g. "Backprop kit (123456)"',
        )
        parser.add_argument(
            "--id-field",
            choices=["email", "username", "idnumber"],
            help="moodle: the user field that identifies students",
        )
    parser.add_argument(
        "--points-possible",
        type=float,
        metavar="N",
        help="scale every total to N points, rounded to 2 decimals (Canvas: default the kit's "
        "total; Moodle: the grade item's maximum, 100 unless you changed it)",
    )
    parser.add_argument(
        "--grade-unreadable",
        action="store_true",
        help="give the LMS a grade (0 for what could not be read) for submissions the grader could "
        "not read (a damaged zip, an unreadable folder, misplaced files); by default they get "
        "no row and are listed instead",
    )
    parser.add_argument(
        "--similarity",
        metavar="DIR",
        nargs="?",
        const="",
        default=None,
        help="add to the class page the pairs of submissions far more alike than the class's usual "
        "(copydetect); DIR: the folder of submissions (batch: the one graded). Off by default: "
        "the page may be shown to the class",
    )


def lms_target(args):
    """The checked :class:`lms.Target` of the options, or None; raises :class:`lms.LmsError`."""
    if args.lms:
        return target(
            args.lms,
            roster=args.roster,
            assignment=args.assignment,
            id_field=args.id_field,
            points_possible=args.points_possible,
            zero_unreadable=args.grade_unreadable,
        )
    if args.roster or args.assignment or args.id_field or args.points_possible is not None:
        raise LmsError("--roster, --assignment, --id-field and --points-possible go with --lms canvas or --lms moodle")
    return None


# ----------------------------------------------------------------------------- reading a run


def reports_folder(source: Path) -> Path:
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
    return {_student_key(row.get("student", "")): row.get("status", "") for row in rows}


def load_run(source: Path) -> list[dict]:
    """The results of a graded run, as ``batch`` had them (student, report, status, folder, submitters, ...)."""
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
        graded = record.get("graded", "error" not in data)
        results.append(
            {
                "student": student,
                "report": data if graded else None,
                "status": record.get("status") or statuses.get(student) or ("ok" if graded else "grader error"),
                "folder": record.get("folder") or student,
                "submitters": tuple(
                    Person(**{k: str(p.get(k, "")) for k in ("name", "email", "sid")})
                    for p in record.get("submitters", [])
                    if isinstance(p, dict)
                ),
                "read_problems": list(record.get("read_problems", [])),
                "notes": list(record.get("notes", [])),
                "unattempted": list(record.get("unattempted", [])),
                "report_file": path.name,
            }
        )
    if not results:
        raise ExportError(f"{folder} holds no report: grade the class with `python -m autograder batch` first")
    results.sort(key=lambda r: r["student"])
    return results


# ----------------------------------------------------------------------------- writing


def write_outputs(
    results: list[dict],
    out: Path,
    target=None,
    html: str | None = None,
    similarity: Path | None = None,
    allowed_weak: bool = False,
) -> list[str]:
    """The LMS gradebook (``out``) and the class page (``html``) of ``results``; returns lines to print."""

    printed = []
    if html:
        page = write_class_page(results, Path(html), submissions=similarity)
        printed.append(f"Class page: {page.resolve()}")
    if target is not None:
        rows = [row_of(result, allowed_weak=allowed_weak) for result in results]
        outcome = target.write([Graded.from_batch(result, row) for result, row in zip(results, rows)], Path(out))

        printed.append(
            f"{target.kind.capitalize()} gradebook: {outcome.path} ({outcome.written} students; {outcome.scale})"
        )
        if outcome.problems:
            printed.append(f"Not in it ({len(outcome.problems)}, also listed in {outcome.side_file}):")
            # names from folders and exports: nothing a terminal interprets
            printed.extend(f"  {printable(p.describe(), keep_newlines=False)}" for p in outcome.problems)
    return printed


def run(args) -> int:
    """``python -m autograder export SOURCE --out FILE [--lms ...] [--html ...]``."""
    try:
        target = lms_target(args)
    except LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if target is None and not args.html:
        print(
            "error: nothing to export: give --lms canvas|moodle (with --out) and/or --html class.html", file=sys.stderr
        )
        return 2
    for note in target.notes if target else ():
        print(f"note: {note}", file=sys.stderr)
    try:
        results = load_run(Path(args.source))
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    similarity = _similarity_folder(args, None)
    if similarity is False:
        return 2
    out = Path(args.out or f"{args.lms or 'grades'}.csv")
    for line in write_outputs(results, out, target, args.html, similarity):
        print(line)
    return 0


def _similarity_folder(args, graded_folder: Path | None):
    """The submissions folder for --similarity (None: off; False: refused, said on stderr)."""
    if args.similarity is None:
        return None
    folder = Path(args.similarity) if args.similarity else graded_folder
    if folder is None or not folder.is_dir():
        print("error: --similarity needs the folder of submissions (--similarity DIR)", file=sys.stderr)
        return False
    if not args.html:
        print("error: --similarity adds a section to the class page: give --html too", file=sys.stderr)
        return False
    return folder

"""Every instructor's output from a graded run, with no regrade: ``python -m autograder export``.

``batch`` keeps each student's full report in ``<out stem>_reports/<student>.json`` (the keys of
``grade --json`` plus a ``batch`` record: the student, the folder, a Gradescope export's submitters,
the status, what could not be read, the checks not attempted). From those files alone this module
writes the Canvas or Moodle gradebook and the class page; ``batch``, ``merge`` and ``export`` all
take the same options (declared once, in :mod:`autograder.channels.cli_args`), so a sharded class, or a
second LMS, needs no second grading run::

    python -m autograder export grades.csv --lms moodle --id-field email --points-possible 100
    python -m autograder export grades_reports/ --html class.html --similarity class/

A source is a run's CSV (its ``_reports`` folder beside it) or the reports folder itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.reports.class_report import write_class_page
from autograder.reports.classrun import ExportError, Submission, load_run
from autograder.reports.lms import Graded, Target, target
from autograder.reports.lms_rosters import LmsError
from autograder.sandbox.client import printable


def lms_target(args) -> Target | None:
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


# ----------------------------------------------------------------------------- writing


def write_outputs(
    results: list[Submission],
    out: Path,
    target: Target | None = None,
    html: str | None = None,
    similarity: Path | None = None,
) -> list[str]:
    """The LMS gradebook (``out``) and the class page (``html``) of ``results``; returns lines to print."""
    printed = []
    if html:
        page = write_class_page(results, Path(html), submissions=similarity)
        printed.append(f"Class page: {page.resolve()}")
    if target is not None:
        outcome = target.write([Graded.of(result) for result in results], Path(out))
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
    similarity = similarity_folder(args, None)
    if similarity is False:
        return 2
    out = Path(args.out or f"{args.lms or 'grades'}.csv")
    for line in write_outputs(results, out, target, args.html, similarity):
        print(line)
    return 0


def similarity_folder(args, graded_folder: Path | None):
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

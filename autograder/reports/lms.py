"""Gradebooks an LMS imports as they are: Canvas's gradebook CSV and Moodle's "Import grades from CSV".

``python -m autograder batch DIR --lms canvas --roster export.csv --assignment "Name (123)"`` and
``--lms moodle --id-field email|username|idnumber [--roster participants.csv]`` write, instead of the
plain CSV, a file the LMS imports into one assignment; the plain CSV goes next to it
(``<out stem>_batch.csv``). Nothing is dropped silently: every submission that matches no
student, every roster student without a submission, and every grade not written (two
submissions for one student, a grader error) is listed on the terminal and in
``<out stem>_unmatched.csv``.

**Canvas** (its gradebook importer, ``GradebookImporter`` in canvas-lms): the header must
start ``Student, ID, SIS User ID, SIS Login ID, Section``; *every* other column that is not
one of Canvas's read-only totals is taken as an assignment (an unknown header creates a new
assignment), so the file holds exactly those five columns and the assignment's, headed
``Name (id)`` (the id in parentheses is what Canvas matches). A second row whose first cell
contains "Points Possible" gives each assignment's points, as Canvas's own export does; the
kit's total goes there. Students are found by ``ID`` first, then SIS User ID, SIS Login ID
and name, so the identity columns are copied from the roster (the instructor's Canvas
export). A blank grade would erase a grade already in Canvas, so students without a graded
submission have no row at all. UTF-8 without a byte-order mark (Canvas reads UTF-8; the
first header cell is then exactly ``Student``).

**Moodle** (``gradeimport_csv``): a header row, then one row per student; the instructor maps
the identifier column to "Email address", "Username" or "ID number" and the two other
columns to the grade item and its feedback (Moodle's docs: import feedback together with the
grade). Moodle aborts the *whole* import at the first row whose user it cannot find, or
whose identifier is blank, so such rows are never written; a ``--roster`` with the
identifier column lets the kit check every identifier before Moodle does (and spell it as
Moodle has it: Moodle compares e-mail addresses case-sensitively). UTF-8 with a byte-order
mark: Moodle's CSV reader removes it, and a spreadsheet opened on the file then reads
accented names correctly.

**Points possible** (``--points-possible N``): every total is scaled from the kit's total to N
(``total * N / kit total``) and rounded half up to 2 decimals, the precision Canvas shows and Moodle's
grade items keep by default. Canvas's default is the kit's total (no scaling: make the assignment worth
it, or pass its points); it takes any non-negative number. Moodle's default is its grade items' default
maximum, 100: a kit total above it is refused before grading with what to pass, because Moodle's
import refuses a grade above the item's maximum (and, unless a site setting allows it, above 100).
The scale is written at the top of the side file.

A submission that could not be read at all (a corrupt or truncated zip, a folder the grader cannot
read, the exercise files in a place the kit does not look) gets no row unless ``zero_unreadable``
(``--grade-unreadable``): a 0 the student did not earn would go into the gradebook silently.

In both, text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)
are prefixed with ``'`` as in the plain CSV (:func:`autograder.reports.gradebook.spreadsheet_safe`), and a group
submission (a Gradescope export lists several submitters) gives one row per member.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from autograder.course import registry
from autograder.grading.class_folder import Person
from autograder.grading.results import write_atomic
from autograder.reports.classrun import Submission
from autograder.reports.gradebook import spreadsheet_safe
from autograder.reports.lms_rosters import (
    ASSIGNMENT_EXAMPLE,
    CANVAS_COLUMNS,
    MOODLE_FIELDS,
    TITLE_AND_ID,
    CanvasStudent,
    LmsError,
    parse_assignment,
    read_canvas_roster,
    read_moodle_roster,
)

KINDS = ("canvas", "moodle")
MOODLE_DEFAULT_MAX = 100  # a new Moodle grade item's "Maximum grade"
DECIMALS = 2  # Canvas shows two decimals; a Moodle grade item keeps two unless told otherwise
POINTS_POSSIBLE = "    Points Possible"  # as Canvas's export writes it; the importer looks for "Points Possible"
FORMULA_START = tuple("=+-@\t\r\uff1d")


def _safe(value: str) -> str:
    return spreadsheet_safe(value)


def _key(value: str) -> str:
    return str(value).strip().casefold()


def _points(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Scale:
    """Kit points -> the LMS's points: ``total * points_possible / kit_max``, rounded half up to 2 decimals."""

    kit_max: float
    points_possible: float

    @property
    def scaled(self) -> bool:
        return abs(self.points_possible - self.kit_max) > 1e-9

    def __call__(self, total: float) -> str:
        value = Decimal(repr(float(total)))
        if self.scaled and self.kit_max > 0:
            value = value * Decimal(repr(float(self.points_possible))) / Decimal(repr(float(self.kit_max)))
        value = value.quantize(Decimal(1).scaleb(-DECIMALS), rounding=ROUND_HALF_UP)
        return _points(float(value))

    def describe(self, lms: str) -> str:
        if not self.scaled:
            return f"grades are the kit's points, out of {_points(self.kit_max)} (the points possible in {lms})"
        return (
            f"grades scaled from the kit's {_points(self.kit_max)} points to {_points(self.points_possible)} "
            f"points possible in {lms}: total x {_points(self.points_possible)} / {_points(self.kit_max)}, "
            f"rounded half up to {DECIMALS} decimals"
        )


# ----------------------------------------------------------------------------- what batch produced


@dataclass
class Graded:
    """One graded submission, as the LMS writers need it (:meth:`of` a submission of a graded class)."""

    label: str  # the batch's name for it (the plain CSV's `student`, before spreadsheet protection)
    folder: str  # the sub-folder or .zip (without .zip) it came from
    total: float
    max_score: float
    status: str
    graded: bool = True  # False: the grader itself failed (no score to publish)
    failing: tuple[str, ...] = ()  # "exercise.function" of every function with a check not passed
    submitters: tuple[Person, ...] = ()  # from a Gradescope export; empty for a plain folder
    readable: bool = True  # False: nothing of the submission could be read (see UNREADABLE)

    @classmethod
    def of(cls, result: Submission) -> Graded:
        """What the writers need of one submission of a graded class."""
        report = result.report
        failing = []
        for test in report.tests if report else []:
            name = f"{test.exercise}.{test.function}"
            if test.status != "passed" and name not in failing:
                failing.append(name)
        return cls(
            label=result.student,
            folder=result.folder,
            total=report.score if report else 0.0,
            max_score=report.max_score if report else 0.0,
            status=result.status,
            graded=report is not None,
            failing=tuple(failing),
            submitters=result.submitters,
            readable=not result.read_problems,
        )

    def feedback(self) -> str:
        """Moodle's feedback cell: the status and the functions still failing."""
        if not self.graded:
            return self.status
        failing = ", ".join(self.failing)
        return f"{self.status}; failing: {failing}" if failing else f"{self.status}; every check passed"


@dataclass(frozen=True)
class Problem:
    """A grade not written, or a student without one: listed on the terminal and in the side file."""

    kind: str
    who: str
    detail: str = ""

    def describe(self) -> str:
        return f"{self.kind}: {self.who}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Outcome:
    path: Path  # the file to import
    written: int  # its student rows
    problems: list[Problem]
    side_file: Path  # the problems, as CSV
    plain: Path | None = None  # the plain CSV written next to it
    scale: str = ""  # how the kit's points became the LMS's (Scale.describe)


# ----------------------------------------------------------------------------- targets


@dataclass
class Target:
    """An LMS gradebook to write: checked (and its roster read) before any grading starts."""

    kind: str
    roster: Path | None = None
    assignment: str = ""
    id_field: str = ""
    canvas_students: list[CanvasStudent] = field(default_factory=list)
    moodle_ids: list[str] | None = None
    notes: list[str] = field(default_factory=list)  # worth saying before grading (e.g. an unknown assignment id)
    outcome: Outcome | None = None
    scale: Scale | None = None  # set by target(): the kit's total -> the LMS's points possible
    zero_unreadable: bool = False  # write 0 for a submission that could not be read (else no row)

    def write(self, graded: list[Graded], out: Path) -> Outcome:
        writer = write_canvas if self.kind == "canvas" else write_moodle
        self.outcome = writer(self, graded, out)
        return self.outcome


def _kit_max() -> float:
    return float(registry.course(include_hidden=True).max_score)


def scale_for(kind: str, points_possible: float | None, kit_max: float) -> tuple[Scale, list[str]]:
    """The scale of ``--lms kind --points-possible N`` (None: the LMS's default) and notes worth printing."""
    if points_possible is not None and not points_possible > 0:
        raise LmsError(
            f"--points-possible {points_possible:g}: give the assignment's points possible, a number above 0"
        )
    if kind == "canvas":
        return Scale(kit_max, kit_max if points_possible is None else float(points_possible)), []
    if points_possible is None:
        if kit_max > MOODLE_DEFAULT_MAX:
            raise LmsError(
                f"the kit's total is {_points(kit_max)} points, above {MOODLE_DEFAULT_MAX}, the maximum grade of a "
                f"new Moodle grade item: Moodle's import would refuse every grade above it. Pass --points-possible "
                f"{MOODLE_DEFAULT_MAX} to scale every total to {MOODLE_DEFAULT_MAX} points, or set the grade item's "
                f"Maximum grade to {_points(kit_max)} in Moodle (Gradebook setup > Edit grade item) and pass "
                f"--points-possible {_points(kit_max)}"
            )
        return Scale(kit_max, kit_max), []
    notes = []
    if points_possible > MOODLE_DEFAULT_MAX:
        notes.append(
            f"--points-possible {_points(points_possible)}: set the grade item's Maximum grade to "
            f"{_points(points_possible)} in Moodle before importing (a new item's is "
            f"{MOODLE_DEFAULT_MAX}, and Moodle refuses grades above the item's maximum)"
        )
    return Scale(kit_max, float(points_possible)), notes


def target(
    kind: str,
    roster: str | Path | None = None,
    assignment: str | None = None,
    id_field: str | None = None,
    points_possible: float | None = None,
    kit_max: float | None = None,
    zero_unreadable: bool = False,
) -> Target:
    """Check the options of ``--lms`` and read its roster: every mistake is refused here, before grading.

    ``kit_max``: the kit's total (default: the course's, public and hidden checks).
    """
    chosen = _target(kind, roster, assignment, id_field)
    chosen.scale, notes = scale_for(kind, points_possible, _kit_max() if kit_max is None else float(kit_max))
    chosen.notes.extend(notes)
    chosen.zero_unreadable = zero_unreadable
    return chosen


def _target(kind, roster, assignment, id_field) -> Target:
    if kind not in KINDS:
        raise LmsError(f"--lms {kind!r}: the kit writes gradebooks for {' and '.join(KINDS)}")
    if kind == "canvas":
        if id_field:
            raise LmsError("--id-field is for --lms moodle; Canvas matches students with the roster's columns")
        if not roster:
            raise LmsError(
                "--lms canvas needs --roster: the CSV of Canvas's Grades > Export (Export Entire "
                "Gradebook), which names every student as Canvas knows them"
            )
        if not assignment:
            raise LmsError(
                f"--lms canvas needs --assignment, the assignment's column header in that export, "
                f"e.g. {ASSIGNMENT_EXAMPLE}"
            )
        _, number = parse_assignment(assignment)
        students, header = read_canvas_roster(Path(roster))
        chosen = Target(kind, Path(roster), assignment, canvas_students=students)
        columns = [h for h in header if (m := TITLE_AND_ID.match(h)) and m.group(2) == number]
        if not columns:
            chosen.notes.append(
                f"the roster has no column for assignment id {number}: Canvas will create a new "
                f"assignment {assignment!r} unless the id is right"
            )
        elif assignment not in columns:
            chosen.notes.append(f"the roster calls assignment {number} {columns[0]!r}; Canvas matches it by its id")
        return chosen
    if assignment:
        raise LmsError("--assignment is for --lms canvas; in Moodle you choose the grade item when importing")
    if id_field not in MOODLE_FIELDS:
        raise LmsError(
            f"--lms moodle needs --id-field {'|'.join(MOODLE_FIELDS)}: the user field Moodle will "
            "identify students by (what your folders are named after, or for a Gradescope export "
            "email or idnumber, matched with Gradescope's e-mail and SID)"
        )
    ids = read_moodle_roster(Path(roster), id_field) if roster else None
    return Target(kind, Path(roster) if roster else None, id_field=id_field, moodle_ids=ids)


# ----------------------------------------------------------------------------- writing


@dataclass
class _Member:
    """One person a grade goes to: a submission's submitter (or the submission, for a plain folder)."""

    graded: Graded
    person: Person | None

    def describe(self) -> str:
        if self.person is None:
            return self.graded.label
        who = self.person.name or self.person.email or self.person.sid or "?"
        return (
            f"{who} (in {self.graded.label}, folder {self.graded.folder})"
            if len(self.graded.submitters) > 1
            else f"{who} (folder {self.graded.folder})"
        )


def _members(graded: list[Graded], problems: list[Problem]) -> list[_Member]:
    members: list[_Member] = []
    for item in graded:
        if not item.graded:
            problems.append(Problem("not graded (grader error, grade it again)", item.label, item.status))
            continue
        if item.submitters:
            members.extend(_Member(item, person) for person in item.submitters)
        else:
            members.append(_Member(item, None))
    return members


UNREADABLE = (
    "submission could not be read (no grade written: ask the student for it again, or pass "
    "--grade-unreadable to write what was graded)"
)


def _withheld(target: Target, item: Graded, who: str, problems: list[Problem]) -> bool:
    """A submission the grader could not read gets no grade unless the instructor said so."""
    if item.readable or target.zero_unreadable:
        return False
    problems.append(Problem(UNREADABLE, who, f"{item.label}: {item.status}"))
    return True


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # QUOTE_MINIMAL: "Lovelace, Ada" is quoted, quotes are doubled
    return buffer.getvalue()


def _side_file(out: Path) -> Path:
    return out.with_name(f"{out.stem}_unmatched.csv")


def _write_side_file(out: Path, problems: list[Problem], scale: str = "") -> Path:
    path = _side_file(out)
    rows = [["problem", "who", "detail"]]
    if scale:  # not a problem: how to read every grade of the file
        rows.append(["scale (every grade)", "", _safe(scale)])
    rows += [[_safe(p.kind), _safe(p.who), _safe(p.detail)] for p in problems]
    write_atomic(path, "\ufeff" + _csv_text(rows))  # read by people, in a spreadsheet: with a BOM
    return path


def write_canvas(target: Target, graded: list[Graded], out: Path) -> Outcome:
    """The CSV Canvas's gradebook importer takes: roster columns, the assignment, a Points Possible row."""
    scale = target.scale or scale_for("canvas", None, _kit_max())[0]
    problems: list[Problem] = []
    by_key: dict[str, set[int]] = {}
    for i, student in enumerate(target.canvas_students):
        for value in (student.sis_login_id, student.sis_user_id):
            if value:
                by_key.setdefault(_key(value), set()).add(i)
    claims: dict[int, list[_Member]] = {}
    for member in _members(graded, problems):
        if member.person is None:
            tried = [member.graded.folder]
        else:
            tried = [v for v in (member.person.sid, member.person.email) if v]
        found = set().union(*(by_key.get(_key(v), set()) for v in tried)) if tried else set()
        if len(found) == 1:
            claims.setdefault(found.pop(), []).append(member)
        elif found:
            names = "; ".join(target.canvas_students[i].describe() for i in sorted(found))
            problems.append(Problem("submission matches several roster students", member.describe(), names))
        else:
            problems.append(
                Problem(
                    "submission not in the roster",
                    member.describe(),
                    "tried " + ", ".join(tried) if tried else "no SID or e-mail in the export",
                )
            )
    rows = [
        list(CANVAS_COLUMNS) + [target.assignment],
        [POINTS_POSSIBLE, "", "", "", "", _points(scale.points_possible)],
    ]
    for i, student in enumerate(target.canvas_students):
        members = claims.get(i, [])
        if not members:
            problems.append(Problem("roster student without a submission", student.describe()))
            continue
        if len({id(m.graded) for m in members}) > 1:
            problems.append(
                Problem(
                    "several submissions for one student (none written)",
                    student.describe(),
                    "; ".join(f"{m.graded.label}: {_points(m.graded.total)}" for m in members),
                )
            )
            continue
        if _withheld(target, members[0].graded, student.describe(), problems):
            continue
        rows.append([_safe(cell) for cell in student.cells()] + [scale(members[0].graded.total)])
    write_atomic(out, _csv_text(rows))
    described = scale.describe("Canvas")
    return Outcome(out, len(rows) - 2, problems, _write_side_file(out, problems, described), scale=described)


def _moodle_identifier(member: _Member, id_field: str) -> str:
    if member.person is None:
        return member.graded.folder.strip()
    return {"email": member.person.email, "idnumber": member.person.sid}.get(id_field, "").strip()


def write_moodle(target: Target, graded: list[Graded], out: Path) -> Outcome:
    """Moodle's "Import grades from CSV": identifier, grade, feedback; one row per student."""
    scale = target.scale or scale_for("moodle", None, _kit_max())[0]
    problems: list[Problem] = []
    known = None if target.moodle_ids is None else {_key(v): v for v in target.moodle_ids}
    claims: dict[str, list[tuple[_Member, str]]] = {}
    for member in _members(graded, problems):
        identifier = _moodle_identifier(member, target.id_field)
        if not identifier:
            detail = (
                "a Gradescope export has no usernames: use --id-field email or idnumber"
                if member.person is not None and target.id_field == "username"
                else f"no {target.id_field} for this submitter in the export"
            )
            problems.append(Problem("submission without an identifier", member.describe(), detail))
            continue
        if identifier.startswith(FORMULA_START):
            problems.append(
                Problem("identifier a spreadsheet would run as a formula (not written)", member.describe(), identifier)
            )
            continue
        if known is not None:
            if _key(identifier) not in known:
                problems.append(
                    Problem("submission not in the roster", member.describe(), f"{target.id_field} {identifier}")
                )
                continue
            identifier = known[_key(identifier)]  # as Moodle spells it
        claims.setdefault(_key(identifier), []).append((member, identifier))
    header, _ = MOODLE_FIELDS[target.id_field]
    rows = [[header, "Grade", "Feedback"]]
    for members in claims.values():
        identifier = members[0][1]
        if len({id(m.graded) for m, _ in members}) > 1:
            problems.append(
                Problem(
                    "several submissions for one student (none written)",
                    identifier,
                    "; ".join(f"{m.graded.label}: {_points(m.graded.total)}" for m, _ in members),
                )
            )
            continue
        item = members[0][0].graded
        if _withheld(target, item, identifier, problems):
            continue
        rows.append([identifier, scale(item.total), _safe(item.feedback())])
    if known is not None:
        for key, identifier in known.items():
            if key not in claims:
                problems.append(Problem("roster student without a submission", identifier))
    write_atomic(out, "\ufeff" + _csv_text(rows))
    described = scale.describe("Moodle")
    return Outcome(out, len(rows) - 1, problems, _write_side_file(out, problems, described), scale=described)

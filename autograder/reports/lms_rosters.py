"""The rosters an LMS exports, read to match a class's submissions to its students: Canvas's gradebook export
(Grades > Export) and a Moodle grade export or participants list; and the assignment's name as Canvas writes it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
ASSIGNMENT_EXAMPLE = '--assignment "Backprop kit (123456)"'
# Canvas's Assignment.title_and_id: the title, one space, the numeric id in parentheses
TITLE_AND_ID = re.compile(r"\A(.*\S)\s\((\d+)\)\Z", re.S)
# Moodle's identifier fields: the header written, and the headers a roster may use for it
MOODLE_FIELDS = {
    "email": ("Email address", ("email address", "email", "e-mail", "useremail")),
    "username": ("Username", ("username", "user name")),
    "idnumber": ("ID number", ("id number", "idnumber", "useridnumber")),
}


class LmsError(ValueError):
    """A roster or an option the LMS gradebook cannot be written from; the message says what to fix."""


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise LmsError(f"cannot read the roster {path}: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")  # Canvas and Moodle export UTF-8, with or without a BOM
    except UnicodeDecodeError:
        raise LmsError(
            f'the roster {path} is not UTF-8: export it again from the LMS, or save it as "CSV UTF-8"'
        ) from None
    rows = [row for row in csv.reader(io.StringIO(content, newline="")) if any(cell.strip() for cell in row)]
    if not rows:
        raise LmsError(f"the roster {path} is empty")
    return [cell.strip() for cell in rows[0]], rows[1:]


@dataclass(frozen=True)
class CanvasStudent:
    name: str
    id: str
    sis_user_id: str
    sis_login_id: str
    section: str

    def cells(self) -> list[str]:
        return [self.name, self.id, self.sis_user_id, self.sis_login_id, self.section]

    def describe(self) -> str:
        ids = ", ".join(
            f"{label} {value}"
            for label, value in (
                ("SIS Login ID", self.sis_login_id),
                ("SIS User ID", self.sis_user_id),
                ("ID", self.id),
            )
            if value
        )
        return f"{self.name} ({ids})" if ids else self.name


_CANVAS_NON_STUDENT = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.I)


def read_canvas_roster(path: Path) -> tuple[list[CanvasStudent], list[str]]:
    """The students of a Canvas gradebook export (Grades > Export), and its header."""
    header, rows = _read_csv(path)
    missing = [name for name in CANVAS_COLUMNS if name not in header]
    if missing:
        raise LmsError(
            f"the roster {path} has no {', '.join(repr(m) for m in missing)} column"
            f"{'s' if len(missing) > 1 else ''}: give the CSV that Canvas's Grades > Export writes "
            f"(its header starts {', '.join(CANVAS_COLUMNS)})"
        )
    index = {name: header.index(name) for name in CANVAS_COLUMNS}
    students = []
    for row in rows:
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        if "Points Possible" in cells["Student"] or all(_CANVAS_NON_STUDENT.match(c) for c in row):
            continue  # Canvas's second row, and its "Manual Posting" / "Muted" rows
        if not cells["ID"] and not cells["SIS User ID"] and not cells["SIS Login ID"]:
            continue
        students.append(
            CanvasStudent(cells["Student"], cells["ID"], cells["SIS User ID"], cells["SIS Login ID"], cells["Section"])
        )
    if not students:
        raise LmsError(f"the roster {path} lists no student")
    return students, header


def read_moodle_roster(path: Path, id_field: str) -> list[str]:
    """The identifiers (``id_field``) of a Moodle export: a grade export or a participants list."""
    header, rows = _read_csv(path)
    wanted, aliases = MOODLE_FIELDS[id_field]
    lowered = [cell.casefold() for cell in header]
    column = next((lowered.index(a) for a in aliases if a in lowered), None)
    if column is None:
        raise LmsError(
            f"the roster {path} has no {wanted!r} column (for --id-field {id_field}): give a Moodle "
            f"grade export or participants list that has it"
        )
    return [row[column].strip() for row in rows if column < len(row) and row[column].strip()]


def parse_assignment(value: str) -> tuple[str, str]:
    """``"Name (123)"`` -> ("Name", "123"), as Canvas splits a gradebook header; anything else is refused."""
    match = TITLE_AND_ID.match(value or "")
    if not match:
        raise LmsError(
            f'--assignment {value!r} is not of the form "name (id)": give the assignment\'s column '
            f"header exactly as in Canvas's gradebook export, e.g. {ASSIGNMENT_EXAMPLE} (the number is "
            "the assignment's id, the last part of its address in Canvas)"
        )
    return match.group(1), match.group(2)

"""What every gradebook of a class shares (the batch CSV, the LMS files, the shards' merge, the export of a past run):
a student's file name, and a cell a spreadsheet will not run as a formula (who submitted:
:class:`autograder.grading.class_folder.Person`)."""

from __future__ import annotations

import re


def safe_name(student: str) -> str:
    """The file stem of a student's report: characters outside a safe set replaced, at most 120."""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", student)[:120] or "student"


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV-injection advice)."""
    value = str(value)
    if value and (value[0] in "=+-@\t\r" or value[0] == "\uff1d"):
        return "'" + value
    return value

"""A class's folder of submissions: one sub-folder or .zip per student, or a Gradescope "export submissions"
download (folders ``submission_<id>`` beside ``submission_metadata.yml``, which names the students).

What ``batch`` grades and what ``doctor --submissions`` checks can be read, in the order both use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

SKIP = {"__MACOSX", ".DS_Store", "submission_metadata.yml"}


@dataclass(frozen=True)
class Person:
    """One submitter of a Gradescope export (any field may be empty)."""

    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass
class Entry:
    """One submission of the folder: the batch's name for it, its path, and who submitted it."""

    student: str
    path: Path
    submitters: tuple[Person, ...] = ()  # from a Gradescope export's metadata

    @property
    def folder(self) -> str:
        return self.path.name[:-4] if self.path.suffix.lower() == ".zip" else self.path.name


def _gradescope_submitters(folder: Path) -> dict[str, tuple[Person, ...]]:
    """``submission_<id>`` -> its submitters, from Gradescope's submission_metadata.yml."""
    metadata = folder / "submission_metadata.yml"
    if not metadata.is_file():
        return {}
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


def _listed(folder: Path) -> list[Path]:
    """What ``folder`` holds, in sorted order, hidden files and metadata left out."""
    return [path for path in sorted(folder.iterdir()) if path.name not in SKIP and not path.name.startswith(".")]


def _a_submission(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() == ".zip"


def discover(folder: Path) -> list[Entry]:
    """One entry per sub-folder or .zip of ``folder`` (hidden files and metadata skipped), in sorted order."""
    submitters = _gradescope_submitters(folder)
    entries = []
    for path in _listed(folder):
        if _a_submission(path):
            stem = path.name[:-4] if path.suffix.lower() == ".zip" else path.name
            people = submitters.get(stem, ())
            entries.append(Entry(_label(people) or stem, path, people))
    return entries


def skipped(folder: Path) -> list[str]:
    """The names in ``folder`` that :func:`discover` leaves out although they are not hidden or metadata: loose
    files (a student's ``.py``, a ``.tar.gz``), which are not a submission of the form batch grades."""
    return [path.name for path in _listed(folder) if not _a_submission(path)]


def select(entries: list, shard: tuple[int, int] | None) -> list:
    """The entries of shard (K, N), from the list in the order :func:`discover` sorts it: the positions K-1,
    K-1+N, K-1+2N, ... (``batch --shard``; see :mod:`autograder.channels.shards`)."""
    if shard is None:
        return entries
    k, n = shard
    return [entry for index, entry in enumerate(entries) if index % n == k - 1]

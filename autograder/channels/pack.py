"""The learner's ``submission`` (``make submission``): the course's exercise files zipped into ``submission.zip``.

Standard library only, like :mod:`autograder.channels.launch`, which runs it before NumPy, torch or pytest may
exist; the command line (:mod:`autograder.channels.cli`) offers it too.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from pathlib import Path

from autograder.messages import text

EXERCISE_FILE = re.compile(r"ex\d+_[a-z0-9_]+\.py")  # registry.NAME, as a file name


def exercise_files(root: Path) -> list[Path]:
    """The course's exercise files: ``exercises/ex<number>_<words>.py``, the names the registry allows
    (its checks are not imported here: this runs before torch may exist)."""
    return sorted(path for path in (root / "exercises").glob("ex*.py") if EXERCISE_FILE.fullmatch(path.name))


def submission(root: Path, out: Path | None = None) -> int:
    """The exercise files of ``root`` in ``submission.zip`` beside them (default ``root/submission.zip``)."""
    out = out or root / "submission.zip"
    files = exercise_files(root)
    if not files:
        print(text("launch.no_exercises", folder=root / "exercises"), file=sys.stderr)
        return 2
    partial = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(root).as_posix())
    os.replace(partial, out)
    print(text("launch.wrote", path=out))
    return 0

"""Find a submission's exercise files (folder or .zip) and copy them to a fresh folder.

Only the expected ``ex*.py`` files are copied: a planted ``conftest.py``,
``sitecustomize.py`` or fake ``numpy.py`` next to them is simply left behind.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import EXERCISES
from .messages import text

MAX_FILE_BYTES = 2 * 2**20
SKIP_PARTS = {".venv", "venv", "__pycache__", ".git", "__MACOSX", "node_modules", "site-packages"}


@dataclass
class Staged:
    folder: Path
    present: set = field(default_factory=set)
    notes: list = field(default_factory=list)

    def cleanup(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def _best(candidates: list[tuple[tuple[str, ...], object]]):
    """The shallowest candidate (a file directly in the folder beats one in a subfolder)."""
    return min(candidates, key=lambda item: (len(item[0]), item[0]))[1] if candidates else None


def stage(path: Path) -> Staged:
    """Copy the exercise files of ``path`` into a new temporary folder."""
    path = Path(path)
    staged = Staged(Path(tempfile.mkdtemp(prefix="autograder-submission-")))
    wanted = {f"{name}.py": name for name in EXERCISES}
    if path.is_dir() and not any(path.rglob("ex*.py")):
        archives = sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip" and p.is_file())
        if archives:  # an upload of one .zip (as Gradescope stores it)
            path = archives[0]
    if path.is_dir():
        found: dict[str, list] = {}
        for file in path.rglob("*.py"):
            relative = file.relative_to(path).parts
            if file.name in wanted and not SKIP_PARTS.intersection(relative[:-1]) and file.is_file():
                found.setdefault(file.name, []).append((relative, file))
        for filename, module in wanted.items():
            best = _best(found.get(filename, []))
            if best is None:
                continue
            if best.stat().st_size > MAX_FILE_BYTES:
                staged.notes.append(text("submission.too_large", file=filename))
                continue
            shutil.copyfile(best, staged.folder / filename)
            staged.present.add(module)
    elif path.is_file() and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                found = {}
                for info in archive.infolist():
                    parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p)
                    if parts and parts[-1] in wanted and not info.is_dir() and not SKIP_PARTS.intersection(parts[:-1]):
                        found.setdefault(parts[-1], []).append((parts, info))
                for filename, module in wanted.items():
                    info = _best(found.get(filename, []))
                    if info is None:
                        continue
                    if info.file_size > MAX_FILE_BYTES:
                        staged.notes.append(text("submission.too_large", file=filename))
                        continue
                    with archive.open(info) as source:
                        data = source.read(MAX_FILE_BYTES + 1)
                    (staged.folder / filename).write_bytes(data)
                    staged.present.add(module)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            staged.notes.append(text("submission.bad_zip", error=str(exc)[:200]))
    elif path.is_file() and path.name in wanted:
        shutil.copyfile(path, staged.folder / path.name)
        staged.present.add(wanted[path.name])
    else:
        staged.notes.append(text("submission.not_found", path=str(path)))
    # readable by the unprivileged user the submission may run as (the folder and the files only)
    staged.folder.chmod(0o755)
    for file in staged.folder.iterdir():
        file.chmod(0o644)
    for filename, module in wanted.items():
        if module not in staged.present and not any(filename in note for note in staged.notes):
            staged.notes.append(text("submission.missing_file", file=filename))
    return staged

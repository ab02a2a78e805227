"""Find a submission's exercise files (folder or .zip) and read them, refusing anything but plain files.

Only the expected ``ex*.py`` files are taken, as bytes: a planted
``conftest.py``, ``sitecustomize.py`` or fake ``numpy.py`` next to them is
simply left behind. Below the path given (which the instructor or learner
chose), nothing is followed: symbolic links, FIFOs, devices, sockets and
hard-linked files are refused with a note saying so (``lstat``, then
``open`` with ``O_NOFOLLOW | O_NONBLOCK`` and ``fstat`` of what was really
opened). Sizes, depth and entry counts are capped. Zip entries are read by
name only, never extracted; link entries, ``..`` paths and entries that
inflate past the size limit are refused, and so is an archive that holds
two entries of the same name (``unzip`` and Python's ``zipfile`` extract the
last, a reader by name may take the first: whoever unzips it to read the work
would see another file than the one graded).

On Gradescope the grader runs as root: there :func:`stage` reads the
submission in a child process that has already become the unprivileged
sandbox user, so a link or a hard link to a root-only file reads nothing.
"""

from __future__ import annotations

import base64
import codecs
import io
import json
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import registry
from autograder.messages import text

MAX_FILE_BYTES = 2 * 2**20  # one exercise file
MAX_ZIP_BYTES = 32 * 2**20  # an uploaded archive
MAX_ENTRIES = 20_000  # files and folders looked at (or zip entries)
MAX_DEPTH = 12
SKIP_PARTS = {".venv", "venv", "__pycache__", ".git", "__MACOSX", "node_modules", "site-packages"}
FOLDER_PREFIX = "autograder-submission-"  # + the grading process's pid: see remove_orphaned_folders
# Why a submission (or part of it) could not be read, each with its own note; batch gives each its own status
# and sends none of them to an LMS as a grade without the instructor's flag (see lms.py).
PROBLEMS = {
    "bad_zip": "damaged zip",
    "unreadable": "folder or file not readable by the grader",
    "misplaced": "exercise files in the wrong place or under another name",
}
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# Folders are walked through descriptors (nothing can be swapped for a link between two steps) where the
# system allows it; Windows has no O_NOFOLLOW, O_DIRECTORY or dir_fd, and is walked by path, with the same
# lstat and fstat checks of every file.
BY_DESCRIPTOR = (
    os.scandir in os.supports_fd
    and os.open in os.supports_dir_fd
    and os.stat in os.supports_dir_fd
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)  # (os.lstat is os.stat's no-follow form)


@dataclass
class Staged:
    """The exercise files of one submission, as bytes, and notes about what was refused or missing."""

    files: dict = field(default_factory=dict)  # module name -> bytes
    notes: list = field(default_factory=list)
    folder: Path | None = None
    problems: list = field(default_factory=list)  # what kept files from being read: PROBLEMS' keys

    @property
    def present(self) -> set:
        return set(self.files)

    def materialize(self, owner: tuple[int, int] | None = None) -> Path:
        """Write the files into a fresh folder (for the sandbox levels without a mount namespace).

        With ``owner`` (grading as root) the folder belongs to that uid with
        mode 0500, so no other uid, a classmate's included, can list or read it.
        """
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
            for module, data in self.files.items():
                path = self.folder / f"{module}.py"
                path.write_bytes(data)
                path.chmod(0o444)
            if owner is not None:
                os.chown(self.folder, *owner)
                self.folder.chmod(0o500)
            else:
                self.folder.chmod(0o555)
        return self.folder

    def cleanup(self):
        if self.folder is not None:
            self.folder.chmod(0o700)
            if os.name == "nt":  # Windows refuses to delete a read-only file
                for path in self.folder.iterdir():
                    path.chmod(0o644)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def remove_orphaned_folders() -> int:
    """Remove staged folders left by grading processes that were killed (their pid is gone)."""
    removed = 0
    if os.name == "nt":  # there os.kill(pid, 0) would end that process, not ask whether it runs
        return removed
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        Staged(folder=folder).cleanup()
        removed += 1
    return removed


class _Reader:
    """Collects candidates for each wanted file name; refuses what is not a plain file."""

    def __init__(self):
        self.wanted = {f"{name}.py": name for name in registry.names()}
        self.found: dict[str, list] = {}  # filename -> [(parts, bytes or refusal note)]
        self.notes: list[str] = []
        self.entries = 0
        self.problems: set[str] = set()
        self.near: dict[str, list[str]] = {}  # wanted filename -> paths that look like it, in the wrong place

    def offer(self, parts: tuple, content):
        self.found.setdefault(parts[-1], []).append((parts, content))

    def look_alike(self, parts: tuple, skipped: bool = False):
        """Remember a file that looks like an exercise file the kit will not take (name or place)."""
        name = parts[-1]
        stem, _, suffix = name.rpartition(".") if "." in name else (name, "", "")
        for wanted in self.wanted:
            base = wanted[:-3]
            if (skipped and name == wanted) or (
                name != wanted
                and (
                    name.casefold() == wanted.casefold()
                    or name.casefold() in (f"{base}.ipynb".casefold(), f"{wanted}.txt".casefold())
                    or (
                        suffix == "py"
                        and stem.casefold().startswith(base.casefold())
                        and not stem[len(base) : len(base) + 1].isalnum()
                    )
                )
            ):
                self.near.setdefault(wanted, []).append("/".join(parts))

    def _unreadable_folder(self, parts: tuple, exc: OSError):
        self.problems.add("unreadable")
        self.notes.append(
            text(
                "submission.folder_unreadable", folder="/".join(parts) or ".", error=exc.strerror or type(exc).__name__
            )
        )

    # ---------------------------------------------------------------- folders
    def walk(self, dir_fd: int | str, parts: tuple = ()):
        """Walk the folder ``dir_fd`` (a descriptor, or a path where folders are not walked by descriptor)."""
        if len(parts) > MAX_DEPTH:
            return
        try:
            entries = sorted(os.scandir(dir_fd), key=lambda e: e.name)
        except OSError as exc:
            self._unreadable_folder(parts, exc)
            return
        for entry in entries:
            self.entries += 1
            if self.entries > MAX_ENTRIES:
                if text("submission.too_many_files") not in self.notes:
                    self.notes.append(text("submission.too_many_files"))
                return
            name = entry.name
            here = parts + (name,)
            try:
                info = (
                    os.lstat(name, dir_fd=dir_fd) if isinstance(dir_fd, int) else os.lstat(os.path.join(dir_fd, name))
                )
            except PermissionError as exc:  # listed but not searchable: nothing in it can be opened
                self._unreadable_folder(parts, exc)
                return
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                if name in SKIP_PARTS or name.startswith("."):
                    self._look_inside_skipped(dir_fd, name, here)
                    continue
                if not isinstance(dir_fd, int):
                    if not getattr(info, "st_reparse_tag", 0):  # (a Windows junction is a link too: not followed)
                        self.walk(os.path.join(dir_fd, name), here)
                    continue
                try:
                    child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
                except OSError as exc:
                    self._unreadable_folder(here, exc)
                    continue
                try:
                    self.walk(child, here)
                finally:
                    os.close(child)
            elif name in self.wanted:
                self.offer(here, self._read(name, dir_fd, info))
            elif name.lower().endswith(".zip") and not parts:
                self.offer(here, self._read(name, dir_fd, info, limit=MAX_ZIP_BYTES))
            else:
                self.look_alike(here)

    def _look_inside_skipped(self, dir_fd: int | str, name: str, parts: tuple):
        """A skipped folder (``.git``, ``__MACOSX``, a hidden one) holding an exercise file: say where it is."""
        if name in (".venv", "venv", "site-packages", "node_modules", ".git"):
            return
        if not isinstance(dir_fd, int):  # walked by path (Windows)
            try:
                for entry in sorted(os.scandir(os.path.join(dir_fd, name)), key=lambda e: e.name)[:MAX_ENTRIES]:
                    if entry.name in self.wanted and entry.is_file(follow_symlinks=False):
                        self.look_alike(parts + (entry.name,), skipped=True)
            except OSError:
                pass
            return
        try:
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError:
            return
        try:
            for entry in sorted(os.scandir(child), key=lambda e: e.name)[:MAX_ENTRIES]:
                if entry.name in self.wanted and entry.is_file(follow_symlinks=False):
                    self.look_alike(parts + (entry.name,), skipped=True)
        except OSError:
            pass
        finally:
            os.close(child)

    def _read(self, name: str, dir_fd: int | str | None, info, limit: int = MAX_FILE_BYTES):
        """The file's bytes, or a refusal note (str). ``dir_fd``: a descriptor, a folder's path, or None."""
        if stat.S_ISLNK(info.st_mode):
            return text("submission.refused_link", file=name)
        if not stat.S_ISREG(info.st_mode):
            return text("submission.refused_special", file=name)
        try:
            if isinstance(dir_fd, str):
                fd = os.open(os.path.join(dir_fd, name), _OPEN_FLAGS)
            else:
                fd = os.open(name, _OPEN_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            self.problems.add("unreadable")
            return text("submission.unreadable", file=name, error=exc.strerror or type(exc).__name__)
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                return text("submission.refused_special", file=name)
            if opened.st_nlink != 1:
                return text("submission.refused_hardlink", file=name)
            if opened.st_size > limit:
                return text("submission.too_large", file=name)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(limit + 1)
            if len(data) > limit:
                return text("submission.too_large", file=name)
            return data
        except OSError as exc:
            self.problems.add("unreadable")
            return text("submission.unreadable", file=name, error=exc.strerror or type(exc).__name__)
        finally:
            os.close(fd)

    # ---------------------------------------------------------------- archives
    def read_zip(self, data: bytes, label: str):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_ENTRIES:
                    self.notes.append(text("submission.too_many_files"))
                    return
                twice = _duplicate(infos)
                if twice:
                    self.notes.append(text("submission.duplicate_entries", archive=label, file=twice))
                    return
                for info in infos:
                    raw = info.filename.replace("\\", "/")
                    parts = tuple(p for p in raw.split("/") if p)
                    if not parts or info.is_dir():
                        continue
                    if (
                        parts[-1] not in self.wanted
                        or SKIP_PARTS.intersection(parts[:-1])
                        or any(p.startswith(".") for p in parts[:-1])
                    ):
                        if parts[-1] in self.wanted and "__MACOSX" not in parts:
                            self.look_alike(parts, skipped=True)
                        elif parts[-1] not in self.wanted:
                            self.look_alike(parts)
                        continue
                    kind = (info.external_attr >> 16) & 0o170000
                    if raw.startswith("/") or ".." in parts or ":" in parts[0]:
                        self.offer(parts, text("submission.refused_path", file=parts[-1]))
                    elif kind and kind != stat.S_IFREG:
                        self.offer(parts, text("submission.refused_link", file=parts[-1]))
                    elif SKIP_PARTS.intersection(parts[:-1]):
                        continue
                    elif info.file_size > MAX_FILE_BYTES:
                        self.offer(parts, text("submission.too_large", file=parts[-1]))
                    else:
                        with archive.open(info) as source:
                            content = source.read(MAX_FILE_BYTES + 1)
                        too_big = len(content) > MAX_FILE_BYTES
                        self.offer(parts, text("submission.too_large", file=parts[-1]) if too_big else content)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError, EOFError) as exc:
            self.problems.add("bad_zip")
            self.notes.append(text("submission.bad_zip", error=f"{label}: {str(exc)[:200]}"))

    def damaged_zip(self, label: str):
        """A file named .zip (or starting as one) that is no complete archive: cut off in an upload or a copy."""
        self.problems.add("bad_zip")
        self.notes.append(text("submission.truncated_zip", file=label))

    # ---------------------------------------------------------------- the choice
    def result(self) -> tuple[dict, list, set]:
        files = {}
        notes = list(self.notes)
        for filename, module in self.wanted.items():
            candidates = self.found.get(filename, [])
            if not candidates:
                if self.near.get(filename):
                    self.problems.add("misplaced")
                    notes.append(
                        text("submission.misplaced", file=filename, found=", ".join(sorted(self.near[filename])[:3]))
                    )
                continue
            parts, content = min(candidates, key=lambda item: (len(item[0]), item[0]))  # the shallowest
            if isinstance(content, bytes):
                files[module] = content
            else:
                notes.append(content)
        return files, notes, self.problems


def _duplicate(infos: list) -> str:
    """The first name (a path inside the archive, as a reader would write it) two entries share, else ''."""
    seen = set()
    for info in infos:
        parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p not in ("", "."))
        if parts in seen:
            return "/".join(parts)
        seen.add(parts)
    return ""


def _read_path(path: Path, top: int | None = None) -> tuple[dict, list, set]:
    """Read the submission at ``path`` (a folder, a .zip, or one exercise file).

    ``top``: the folder ``path`` already opened (by root, before becoming the
    unprivileged user: the folders above it need not be open to that user).
    """
    reader = _Reader()
    if top is not None or path.is_dir():
        if top is not None:
            reader.walk(top)
        elif not BY_DESCRIPTOR:
            reader.walk(str(path))
        else:
            try:
                opened = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError as exc:
                reader._unreadable_folder((), exc)
                return reader.result()
            try:
                reader.walk(opened)
            finally:
                os.close(opened)
        has_files = any(reader.found.get(name) for name in reader.wanted)
        archives = sorted(name for name in reader.found if name.lower().endswith(".zip"))
        if not has_files and archives:  # an upload of one .zip (as Gradescope stores it)
            _, content = reader.found[archives[0]][0]
            zipped = _Reader()
            if isinstance(content, bytes):
                if zipfile.is_zipfile(io.BytesIO(content)):
                    zipped.read_zip(content, archives[0])
                else:
                    zipped.damaged_zip(archives[0])
            else:
                zipped.notes.append(content)
                zipped.problems |= reader.problems
            reader = zipped
    elif path.is_file():
        info = os.stat(path)
        if zipfile.is_zipfile(path):
            with open(path, "rb") as handle:
                data = handle.read(MAX_ZIP_BYTES + 1)
            if len(data) > MAX_ZIP_BYTES:
                reader.notes.append(text("submission.too_large", file=path.name))
            else:
                reader.read_zip(data, path.name)
        elif path.name in reader.wanted:
            reader.offer((path.name,), reader._read(str(path), None, info))
        elif path.suffix.lower() == ".zip" or _starts_as_zip(path):
            reader.damaged_zip(path.name)
        else:
            reader.notes.append(text("submission.not_found", path=str(path)))
    else:
        reader.notes.append(text("submission.not_found", path=str(path)))
    return reader.result()


def _starts_as_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _read_as(path: Path, ids: tuple[int, int]) -> tuple[dict, list, set]:
    """Read the submission (a folder) in a child process running as the unprivileged ``ids``."""
    if not path.is_dir():
        return _read_path(path)
    codecs.lookup("cp437")  # zipfile's name encoding: load it while the library files are still readable
    top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setresgid(ids[1], ids[1], ids[1])
            os.setresuid(ids[0], ids[0], ids[0])
            files, notes, problems = _read_path(path, top)
            payload = json.dumps(
                {
                    "files": {k: base64.b64encode(v).decode() for k, v in files.items()},
                    "notes": notes,
                    "problems": sorted(problems),
                }
            ).encode()
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            code = 0
        except BaseException:  # noqa: BLE001 - the parent reports an unreadable submission
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    os.close(top)
    with os.fdopen(read_end, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not raw:
        return {}, [text("submission.folder_unreadable", folder=str(path), error="permission denied")], {"unreadable"}
    data = json.loads(raw)
    return (
        {k: base64.b64decode(v) for k, v in data["files"].items()},
        list(data["notes"]),
        set(data.get("problems", [])) & set(PROBLEMS),
    )


def stage(path: Path, as_ids: tuple[int, int] | None = None) -> Staged:
    """Read the exercise files of ``path``; with ``as_ids`` (root only) read them as that user."""
    path = Path(path)
    if as_ids is not None and os.geteuid() == 0:
        files, notes, problems = _read_as(path, as_ids)
    else:
        files, notes, problems = _read_path(path)
    staged = Staged(files, notes, problems=sorted(problems))
    if not files and problems & {"bad_zip", "unreadable"}:
        return staged  # its note says why nothing was found: no note per missing file
    for module in registry.names():
        filename = f"{module}.py"
        if module not in staged.files and not any(filename in note for note in staged.notes):
            staged.notes.append(text("submission.missing_file", file=filename))
    return staged

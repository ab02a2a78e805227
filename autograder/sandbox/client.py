"""The grader's side of the sandbox: start the zygote, spawn workers, call student code.

Everything a learner's code does comes back as a value or as a
:class:`StudentError`; nothing it does can raise anything else here.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import importlib.util
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import codec

try:
    import pwd
except ImportError:  # Windows: no accounts to look up (and no `uid` level)
    pwd = None

ZYGOTE = Path(__file__).with_name("zygote.py")


# ----------------------------------------------------------------- errors


class StudentError(Exception):
    """Something the learner's code did (not a wrong answer: a failure to answer)."""

    status = "error"

    def __init__(self, module: str, function: str | None, detail: dict | None = None):
        super().__init__(f"{module}.{function}: {type(self).__name__}")
        self.module = module
        self.function = function
        self.detail = detail or {}


class NotImplementedYet(StudentError):
    status = "failed"


class StudentException(StudentError):
    """The code raised an exception (``detail`` has type, message, traceback)."""


class StudentExit(StudentError):
    """The code called ``sys.exit``/``exit``/``quit``."""


class ImportFailed(StudentError):
    """The module could not be imported (``detail['cause']`` is the underlying error)."""


class StudentCrash(StudentError):
    """The process running the code died (``os._exit``, a crash, out of memory)."""


class StudentTimeout(StudentError):
    status = "timeout"


class MissingFile(StudentError):
    """The submission has no such exercise file."""


class MissingFunction(StudentError):
    """The exercise file has no such function."""


class Unreadable(StudentError):
    """The code returned something that cannot be carried back as plain data."""


def _error_from_detail(module, function, detail):
    kind = detail.get("kind")
    if kind == "not_implemented":
        return NotImplementedYet(module, function, detail)
    if kind == "exit":
        return StudentExit(module, function, detail)
    if kind == "missing_function":
        return MissingFunction(module, function, detail)
    if kind in ("unreadable", "protocol"):
        return Unreadable(module, function, detail)
    return StudentException(module, function, detail)


# ----------------------------------------------------------------- untrusted text from the worker

# What a check shows of the learner's printed output (the worker bounds it too, but that copy is the
# learner's to change): at most this many lines and characters, over all the calls of one check.
PRINTED_LINES = 10
PRINTED_CHARS = 2000
WHERE_FRAMES = 3  # frames of "where it was stopped" kept (innermost last)
# The worker's watchdog sends one notice per request; code in the worker may forge another. More is refused
# (as a protocol error), so a flood of notices cannot keep the grader busy until the deadline.
MAX_NOTICES = 2

# ANSI/VT escape sequences: CSI (colours, cursor moves, clearing), OSC (titles, hyperlinks; ended by BEL or
# ST), and the two-character ones (ESC c resets the terminal).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
# Everything else that moves the cursor or changes how text is laid out: C0/C1 controls (\r, \b, \f, \v,
# ...), bidirectional overrides and other format characters, line and paragraph separators (which
# str.splitlines splits on), lone surrogates (which cannot be printed) and private-use characters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\ue000-\uf8ff]"
)


def printable(value: str, keep_newlines: bool = True) -> str:
    """``value`` with nothing that a terminal interprets: no escape sequences or control characters.

    Tabs become spaces (a tab's width depends on its column) and, unless ``keep_newlines``, newlines
    become spaces. What is left can be laid out like any other text (see ``results.Report.render``).
    """
    value = _INVISIBLE.sub("", _ESCAPES.sub("", value.replace("\r\n", "\n"))).expandtabs(4)
    return value if keep_newlines else value.replace("\n", " ")


@dataclass
class Printed:
    """What the learner's code printed during one check, made printable: ``text`` and how many lines were left out.

    ``cut``: the last line of ``text`` is not complete.
    """

    text: str = ""
    more: int = 0
    cut: bool = False

    def add(self, raw) -> None:
        """Add the ``printed`` field of one answer from the worker (untrusted: checked, bounded, made printable)."""
        if not isinstance(raw, dict):
            return
        text, total = raw.get("text"), raw.get("lines")
        if type(text) is not str or type(total) is not int:
            return
        cut = raw.get("cut") is True or len(text) > PRINTED_CHARS
        lines = printable(text[:PRINTED_CHARS]).split("\n")
        total = max(len(lines), min(total, 10**9))  # (the worker's count is not believed below what it sent)
        room = PRINTED_LINES - (self.text.count("\n") + 1 if self.text else 0)
        if self.more or self.cut or room <= 0:  # full: what is left is only counted
            self.more += total
            return
        shown = lines[:room]
        joined = "\n".join(shown)
        space = PRINTED_CHARS - len(self.text)
        if len(joined) > space:
            joined, cut = joined[:space], True
        self.text = f"{self.text}\n{joined}" if self.text else joined
        self.cut = cut
        self.more += total - len(shown)

    def __bool__(self) -> bool:
        return bool(self.text.strip()) or self.more > 0

    def absorb(self, other: Printed) -> None:
        """Add what another record holds (a shared call's output, shown again under each check that uses it)."""
        if other:
            self.add(
                {
                    "text": other.text,
                    "lines": (other.text.count("\n") + 1 if other.text else 0) + other.more,
                    "cut": other.cut,
                }
            )


def stopped_at(frames, files: dict) -> list[dict]:
    """The ``where`` field of a worker's notice, checked: frames of the submission's own exercise files only.

    Each frame keeps its file's name (one of ``files``, the exercise modules graded), a line number, a
    function name that is an identifier (or ``<module>``, ``<lambda>`` ...) and the text of that line
    read from the grader's own copy of the file, never from the worker. Anything else is dropped.
    """
    out = []
    for frame in frames[-WHERE_FRAMES:] if isinstance(frames, list) else ():
        if not isinstance(frame, dict):
            continue
        name, line, function = frame.get("file"), frame.get("line"), frame.get("function")
        module = name[:-3] if type(name) is str and name.endswith(".py") else None
        if module not in files or type(line) is not int or type(function) is not str:
            continue
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,99}|<[a-z]{1,20}>", function):
            continue
        source = files[module]
        source = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else str(source)
        lines = source.splitlines()
        if not 1 <= line <= len(lines):
            continue
        code = printable(lines[line - 1].strip(), keep_newlines=False)
        out.append(
            {"file": name, "line": line, "function": function, "code": code if len(code) <= 200 else code[:199] + "…"}
        )
    return out


WARNINGS_KEPT = 4  # warnings kept per check (the worker bounds them too)


def warned_at(raw, module: str, files: dict) -> list[dict]:
    """The ``warned`` field of a worker's answer, checked: warnings raised at a line of ``module``'s file.

    Each keeps its category (an identifier), its message (bounded, made printable), the file's name and a line
    number within the grader's own copy of the file, with that line's text read from the copy. Anything else
    is dropped: the worker is the learner's, so what it says only chooses a sentence and a line.
    """
    out = []
    for item in raw[:WARNINGS_KEPT] if isinstance(raw, list) else ():
        if not isinstance(item, dict):
            continue
        category, message, name, line = item.get("category"), item.get("message"), item.get("file"), item.get("line")
        if name != f"{module}.py" or module not in files or type(line) is not int or type(message) is not str:
            continue
        if type(category) is not str or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", category):
            continue
        source = files[module]
        source = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else str(source)
        lines = source.splitlines()
        if not 1 <= line <= len(lines):
            continue
        code = printable(lines[line - 1].strip(), keep_newlines=False)
        out.append(
            {
                "category": category,
                "message": printable(message[:200], keep_newlines=False),
                "file": name,
                "line": line,
                "code": code if len(code) <= 200 else code[:199] + "…",
            }
        )
    return out


# ----------------------------------------------------------------- isolation levels

LEVELS = ("namespaces", "uid", "none")  # strongest first
LEVEL_ENV = "AUTOGRADER_SANDBOX_LEVEL"  # caps the level (the kit's tests use it to try the fallbacks)
_ACHIEVED: dict[str, str] = {}  # level the kernel granted, per requested level, for this process
# What the sandbox gets of the grader's environment: only what NumPy and torch need.
ENV_PASSED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LD_LIBRARY_PATH")


def requested_level() -> str:
    wanted = os.environ.get(LEVEL_ENV, "namespaces").strip() or "namespaces"
    if wanted not in LEVELS:
        raise ValueError(f"{LEVEL_ENV} must be one of {', '.join(LEVELS)}, not {wanted!r}")
    if wanted == "namespaces" and not sys.platform.startswith("linux"):
        wanted = "uid"
    if wanted == "uid" and _euid() != 0:
        wanted = "none"
    return wanted


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1  # (Windows has no uids)


def _weaker(level: str) -> str:
    return "uid" if level == "namespaces" and _euid() == 0 else "none"


def sandbox_ids() -> tuple[int, int]:
    """The unprivileged (uid, gid) the sandbox runs as when the grader is root.

    ``AUTOGRADER_SANDBOX_USER`` names an account; by default each grading
    process takes a uid of its own that no account uses, so that two
    processes of a batch never share one (the `uid` level kills all of a
    uid's processes after each submission).
    """
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    name = os.environ.get("AUTOGRADER_SANDBOX_USER")
    if name:
        user = pwd.getpwnam(name)
        return user.pw_uid, user.pw_gid
    uid = 1_500_000_000 + os.getpid() % 1_000_000
    return uid, uid


def _site_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def trusted_paths(extra: tuple[Path, ...] = ()) -> list[Path]:
    """What the grader holds that no submission may read: the grading package (its hidden checks), the kit's
    checkout when the package runs from one, and ``extra`` (the reference solutions, which grading names:
    :func:`autograder.grading.sandboxes.course_sandbox`).

    The sandbox shows whole folders of the host (the Python installation, the site-packages of NumPy and
    torch, /usr); a kit installed with ``pip install .`` (``deploy/Containerfile``) or kept under /usr lies
    inside one of them. :func:`_jail_setup` hides each of these paths that does behind an empty folder.
    """
    package = Path(__file__).resolve().parent.parent
    paths = [package]
    root = package.parent
    if (root / "pyproject.toml").is_file() and root.name not in ("site-packages", "dist-packages"):
        paths.append(root)  # a checkout: tests, calibration scripts and solutions beside the package
    paths += [Path(path).resolve() for path in extra]
    return [path for path in paths if path.is_dir()]


def _hidden_inside(binds: list[tuple[str, str]], paths: list[Path]) -> list[str]:
    """The paths inside the sandbox at which the bind mounts ``binds`` would show any of ``paths``.

    A bind's source is compared resolved (``/lib`` may be a link). A path that holds another bind's target
    (a Python installed inside a checkout kept under /usr) is not hidden whole, which would hide that bind
    too: its sub-folders are, all but the ones on the way to the target.
    """
    targets = [target.rstrip("/") or "/" for _, target in binds]

    def covering(host: Path, inside: str) -> list[str]:
        if inside in targets:
            return []  # what the sandbox is shown on purpose
        if not any(target.startswith(inside.rstrip("/") + "/") for target in targets):
            return [inside]
        return [
            mask
            for child in sorted(host.iterdir())
            if child.is_dir() and not child.is_symlink()
            for mask in covering(child, f"{inside.rstrip('/')}/{child.name}")
        ]

    inside = []
    for path in paths:
        for source, target in binds:
            real = Path(source).resolve()
            if path.is_relative_to(real):
                relative = path.relative_to(real)
                inside += covering(path, target if str(relative) == "." else f"{target.rstrip('/')}/{relative}")
    return sorted(set(inside))


def _jail_setup(flavour: str, trusted: tuple[Path, ...] = ()) -> dict:
    """What the namespaced sandbox sees: read-only Python, the allowed packages, system libraries."""
    base = Path(sys.base_prefix).resolve()
    binds = [(str(base), str(base)), ("/usr", "/usr")]
    masks: list[str] = []  # for the NumPy-only flavour: every other site-packages looks empty
    stdlib = [p for p in sys.path if p and Path(p).resolve().is_relative_to(base)]
    numpy_dir = _site_dir("numpy")
    if flavour == "torch":
        # each site-packages folder at a path of its own inside (as numpy-only's below): a kit kept under
        # /tmp on the host would otherwise have its packages under each submission's private /tmp, out of
        # sight of every module imported after the fork (torch's lazy imports, the learner's own)
        sites = sorted({str(numpy_dir.parent), str(_site_dir("torch").parent)})
        inside = [f"/opt/site-packages-{number}" for number in range(len(sites))]
        binds += list(zip(sites, inside))
        sys_path = stdlib + inside
    else:  # only numpy itself (and its bundled libraries): torch is not even in the file system
        only = "/opt/numpy-only"
        binds.append((str(numpy_dir), f"{only}/numpy"))
        libs = numpy_dir.parent / "numpy.libs"
        if libs.is_dir():
            binds.append((str(libs), f"{only}/numpy.libs"))
        sys_path = stdlib + [only]
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        masks = [
            str(base / "lib" / version / "site-packages"),
            f"/usr/lib/{version}/site-packages",
            "/usr/lib/python3/dist-packages",
            f"/usr/local/lib/{version}/dist-packages",
            f"/usr/local/lib/{version}/site-packages",
            f"/usr/lib/{version}/dist-packages",
        ]
    for folder in ("/lib", "/lib64", "/lib32", "/bin", "/sbin", "/sys/devices/system/cpu"):
        if os.path.isdir(folder) and not os.path.islink(folder):
            binds.append((folder, folder))
    links = [
        (folder, os.readlink(folder))
        for folder in ("/lib", "/lib64", "/lib32", "/bin", "/sbin")
        if os.path.islink(folder)
    ]
    uid, gid = sandbox_ids()
    work = "/submission"  # the submission's own folder: a path no bind mount lies under
    while any(target == work or target.startswith(work + "/") for _, target in binds):
        work += "_"
    masks = [
        m for m in masks if os.path.isdir(m) and not any(m == site or site.startswith(m + "/") for site in sys_path)
    ]
    masks += _hidden_inside(binds, trusted_paths(trusted))  # the grader's own files, where a bind shows them
    return {
        "level": "namespaces",
        "binds": binds,
        "work": work,
        "masks": masks,
        "links": links,
        "sys_path": sys_path,
        "files": [f for f in ("/etc/ld.so.cache",) if os.path.isfile(f)],
        "devices": [d for d in ("null", "zero", "urandom", "random") if os.path.exists(f"/dev/{d}")],
        "outside_uid": uid,
        "outside_gid": gid,
    }


def sandbox_env() -> dict:
    env = {key: os.environ[key] for key in ENV_PASSED if key in os.environ}
    # TORCHINDUCTOR_CACHE_DIR: torch._dynamo, when something imports it (see zygote._defer_dynamo), makes its cache folder;
    # /tmp exists everywhere (read-only in the zygote, private and writable in each submission)
    env.update(
        PATH="/usr/bin:/bin",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        HOME="/tmp",
        TMPDIR="/tmp",
        TORCHINDUCTOR_CACHE_DIR="/tmp",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    return env


# ----------------------------------------------------------------- zygote


def probe_level() -> tuple[str, str]:
    """(level, why a stronger one was refused): start a NumPy-only sandbox and see what it gets."""
    with Sandbox(flavours=("numpy",)) as sandbox:
        return sandbox.level_now(), sandbox.refusal


CLOSE_SECONDS = 2.0  # how long a zygote may take to end its submissions' processes before it is killed


class Zygote:
    """One sandbox process of one flavour ("torch", or "numpy" where torch cannot be imported)."""

    def __init__(
        self,
        flavour: str,
        level: str,
        huge_pages: bool = True,
        trusted: tuple[Path, ...] = (),
        preload: tuple[str, ...] = (),
    ):
        self.flavour = flavour
        self.level = level
        self.huge_pages = huge_pages
        self.trusted = trusted
        self.preload = preload
        self.refusal = ""  # why the zygote refused its level, if it did
        self._process = None
        self._control = None
        self._ready = False
        self._stderr = None
        self.start()

    def start(self):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-I", str(ZYGOTE), str(child.fileno())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env=sandbox_env(),
            cwd="/",
            start_new_session=True,
        )
        child.close()
        self._control = parent
        self._ready = False
        setup = _jail_setup(self.flavour, self.trusted) if self.level == "namespaces" else {"level": self.level}
        setup["flavour"] = self.flavour
        setup["huge_pages"] = self.huge_pages
        if self.flavour == "torch":
            setup["preload"] = list(self.preload)
        codec.send(self._control, setup)

    def wait_ready(self) -> str:
        """Wait for the greeting; return the level granted ("" when namespaces were refused)."""
        if self._ready:
            return self.level
        try:
            message = codec.receive(self._control, deadline=time.monotonic() + 120)
        except (EOFError, OSError, codec.ProtocolError) as exc:
            self._stderr.seek(0)
            output = self._stderr.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"the grading sandbox did not start: {exc}\n{output}") from exc
        if not message.get("ready"):
            self.refusal = str(message.get("error", ""))[:500]
            return ""
        self._ready = True
        return self.level

    def request(self, message: dict, with_fd: bool = False):
        self._control.settimeout(30)
        codec.send(self._control, message)
        fd = None
        if with_fd:
            _, fds, _, _ = socket.recv_fds(self._control, 1, 1)
            if not fds:
                raise EOFError("no socket from the sandbox")
            fd = fds[0]
        answer = codec.receive(self._control, deadline=time.monotonic() + 30)
        return answer, fd

    def hang_up(self):
        """Tell the zygote we are done (it kills what its submissions left, waits for it and ends)."""
        if self._control is not None:
            self._control.close()
            self._control = None

    def close(self):
        self.hang_up()
        if self._process is not None:
            try:
                self._process.wait(timeout=CLOSE_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self._process.pid, signal.SIGKILL)  # (its group: it may not have ended by itself)
            except OSError:
                pass
            self._process.wait()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


class Sandbox:
    """The sandbox processes (a torch one and a NumPy-only one), at the strongest level the machine allows.

    ``level`` is ``namespaces``, ``uid`` or ``none`` (see the README's threat
    model); ``refusal`` says why a stronger level was refused, if it was.
    """

    FLAVOURS = ("torch", "numpy")

    def __new__(cls, *args, **kwargs):
        """Where the zygote cannot run (no fork, no pidfd_open, no /proc: Windows, macOS), a
        ``spawned.SpawnSandbox`` instead: the `none` level, a fresh interpreter per exercise file."""
        if cls is Sandbox:
            from . import spawned

            reason = spawned.why_spawn()
            if reason:
                return spawned.SpawnSandbox(*args, reason=reason, **kwargs)
        return super().__new__(cls)

    def __init__(
        self,
        flavours: tuple[str, ...] = FLAVOURS,
        *,
        once: bool = False,
        trusted: tuple[Path, ...] = (),
        preload: tuple[str, ...] = (),
    ):
        """``trusted``: folders beyond the kit's own that no submission may read (the reference solutions);
        ``preload``: library modules the torch sandbox imports once, before it forks (the course's ``PRELOAD``).
        Grading passes both (:func:`autograder.grading.sandboxes.course_sandbox`): the sandbox knows no course.

        ``once``: for one submission only (the command line's ``grade``). The zygotes then leave their memory
        where it is: moving it onto huge pages (see ``hugepages``) pays off from the second submission forked
        on, and in a single one it only takes a core from the grader and the worker (``make bench``: 1.52 ->
        1.47 times the import of torch)."""
        self.flavours = flavours
        self.huge_pages = not once
        self._course = {"trusted": tuple(trusted), "preload": tuple(preload)}
        self._zygotes: dict[str, Zygote] = {}
        self.refusal = ""
        wanted = requested_level()
        self.level = _ACHIEVED.get(wanted, wanted)
        self._probed = wanted in _ACHIEVED
        self._wanted = wanted
        for flavour in self.flavours:
            self._zygotes[flavour] = Zygote(flavour, self.level, self.huge_pages, **self._course)
        self._opening = threading.Lock()  # one open at a time (Session's look-ahead opens from a thread)

    def _ensure_level(self):
        """The first greeting decides: namespaces refused -> restart the zygotes one level down."""
        if self._probed:
            return
        first = self.flavours[0]
        while not self._zygotes[first].wait_ready() and self.level != "none":
            self.refusal = self.refusal or self._zygotes[first].refusal
            for zygote in self._zygotes.values():
                zygote.close()
            self.level = _weaker(self.level)
            self._zygotes = {
                flavour: Zygote(flavour, self.level, self.huge_pages, **self._course) for flavour in self.flavours
            }
        _ACHIEVED[self._wanted] = self.level
        self._probed = True

    def level_now(self) -> str:
        """The level in force (waits for the first sandbox to say whether namespaces were granted)."""
        self._ensure_level()
        return self.level

    def zygote(self, flavour: str) -> Zygote:
        self._ensure_level()
        zygote = self._zygotes[flavour]
        for attempt in range(2):
            try:
                if zygote.wait_ready():
                    return zygote
                raise RuntimeError(f"the {flavour} sandbox refused its level: {zygote.refusal}")
            except RuntimeError:
                if attempt:
                    raise
                zygote.close()  # killed from outside: start a new one
                zygote.start()
        raise AssertionError("unreachable")

    def open_submission(
        self,
        flavour: str,
        files: dict[str, bytes],
        folder: Path | None,
        limits: Limits,
        support: tuple[str, str] | None = None,
        preload: tuple[str, ...] = (),
    ) -> InitHandle:
        """Start the init of one submission in the ``flavour`` sandbox.

        ``support`` (path, source): the exercise's trusted helpers, run in each
        worker before the learner's module is imported. ``preload``: library
        modules the zygote imports once, before forking, so that no worker
        has to.
        """
        message = {
            "op": "open",
            "limits": limits.for_worker(self.level),
            "preload": list(preload),
            "support": {"path": support[0], "source": support[1]} if support else None,
            "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()}
            if self.level == "namespaces"
            else {},
            "folder": str(folder) if folder is not None else "",
        }
        with self._opening:
            return self._open(flavour, message)

    def _open(self, flavour: str, message: dict) -> InitHandle:
        for attempt in range(2):
            zygote = self.zygote(flavour)
            try:
                answer, fd = zygote.request(message, with_fd=True)
                if not answer.get("ok") or fd is None:
                    raise EOFError(str(answer.get("error", "the sandbox refused the submission")))
                return InitHandle(socket.socket(fileno=fd), int(answer["pid"]), self.level)
            except (EOFError, OSError, codec.ProtocolError, KeyError, ValueError) as exc:
                if attempt:
                    raise RuntimeError(f"the {flavour} sandbox could not start a submission: {exc}") from exc
                zygote.close()  # the zygote itself died (killed from outside): start a new one
                zygote.start()
        raise AssertionError("unreachable")

    def reap(self, uid: int, keep: tuple[str, ...] = ()):
        """At the `uid` level: kill every process of the sandbox's uid, then remove its files in the shared
        temporary folders (but those of ``keep``, which the grader removes itself) and its IPC objects."""
        if self.level == "uid":
            try:
                self.zygote("torch").request({"op": "reap", "uid": uid, "keep": [str(path) for path in keep]})
            except (EOFError, OSError, codec.ProtocolError, RuntimeError):
                pass

    def close(self):
        for zygote in self._zygotes.values():  # all of them end side by side
            zygote.hang_up()
        for zygote in self._zygotes.values():
            zygote.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class InitHandle:
    """The init process of one exercise file of a submission (PID 1 of its namespace at that level)."""

    sock: socket.socket
    pid: int
    level: str
    pidfd: int | None = None

    def __post_init__(self):
        try:  # a handle on this very process: a kill later can never hit a reused pid
            self.pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            self.pidfd = None

    def spawn(self) -> WorkerHandle:
        self.sock.settimeout(30)
        codec.send(self.sock, {"op": "spawn"})
        _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        if not fds:
            raise EOFError("no socket from the sandbox")
        answer = codec.receive(self.sock, deadline=time.monotonic() + 30)
        return WorkerHandle(socket.socket(fileno=fds[0]), int(answer["pid"]), self)

    def pause(self, op: str) -> bool:
        """``freeze`` (stop every process of this init's namespace but the init) or ``thaw``; True if done
        (only at the `namespaces` level, where the init is PID 1 of a namespace of its own)."""
        try:
            self.sock.settimeout(5)
            codec.send(self.sock, {"op": op})
            return codec.receive(self.sock, deadline=time.monotonic() + 5).get("ok") is True
        except (EOFError, OSError, codec.ProtocolError):
            return False

    def kill_worker(self, pid: int):
        try:
            codec.send(self.sock, {"op": "kill", "pid": pid})
        except OSError:
            pass

    def _signal(self):
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def close(self):
        """Kill the init: in a PID namespace the kernel then kills every process inside."""
        try:
            self.sock.close()
        except OSError:
            pass
        if self.level != "namespaces" and self.pidfd is not None:
            # below namespaces the init kills its workers when the grader hangs up: give it a moment
            select.select([self.pidfd], [], [], 0.5)
        self._signal()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


@dataclass
class WorkerHandle:
    sock: socket.socket
    pid: int  # as the init sees it
    init: InitHandle | None = None

    def kill(self):
        if self.init is not None:
            self.init.kill_worker(self.pid)
        try:
            self.sock.close()
        except OSError:
            pass


# ----------------------------------------------------------------- a submission


@dataclass
class Limits:
    """Hard limits for the submission's processes (soft = hard: they cannot be raised again).

    Time: a call (or an import) may take ``time_factor`` times what the reference solution took for the
    same request on the kit's machine (``checks/limits/<exercise>.json``, written by ``scripts/calibrate.py
    --limits``), never less than ``time_floor`` seconds and never more than ``call_seconds`` /
    ``import_seconds``. A request the table does not know gets the cap. An endless loop then costs three
    seconds, not ten, while a correct but slower solution (plain Python loops, a file that imports
    matplotlib, a grading machine a few times slower) keeps a wide margin.
    """

    call_seconds: float = 10.0  # the most any call may take (``--timeout``)
    import_seconds: float = 10.0
    time_factor: float = 20.0
    # a learner's plain Python loops may be 30x slower than the reference's NumPy, and code that reaches past
    # what eager torch needs imports the compiler inside the call (1.5 s; see zygote._defer_dynamo)
    time_floor: float = 3.0
    submission_seconds: float = 180.0  # wall-clock budget of a whole submission, all calls together
    max_memory_bytes: int = 2 * 2**30  # address space per process, on top of what NumPy and torch map
    max_file_bytes: int = 16 * 2**20
    max_cpu_seconds: int = 120
    max_open_files: int = 64
    max_processes: int = 32  # per uid: only applied where the sandbox has a uid of its own
    work_bytes: int = 8 * 2**20
    tmp_bytes: int = 64 * 2**20
    shm_bytes: int = 16 * 2**20
    uid: int | None = None
    gid: int | None = None

    def seconds_for(self, reference: float | None, cap: float) -> float:
        """The time limit of a request the reference answered in ``reference`` seconds (None: unknown)."""
        if reference is None:
            return cap
        return min(cap, max(self.time_floor, self.time_factor * reference))

    def for_worker(self, level: str = "none") -> dict:
        out = {
            "max_memory_bytes": self.max_memory_bytes,
            "max_file_bytes": self.max_file_bytes,
            "max_cpu_seconds": self.max_cpu_seconds,
            "max_open_files": self.max_open_files,
            "work_bytes": self.work_bytes,
            "tmp_bytes": self.tmp_bytes,
            "shm_bytes": self.shm_bytes,
            "level": level,
        }
        if level == "uid" or (level == "namespaces" and os.geteuid() == 0):
            out["max_processes"] = self.max_processes
        if level == "uid":
            uid, gid = (self.uid, self.gid) if self.uid is not None else sandbox_ids()
            out.update(uid=uid, gid=gid if gid is not None else uid)
        return out


@dataclass
class CallResult:
    value: object
    args: list | None = None
    # with ``fingerprints``: the arguments whose values the call changed (positions, and names of keyword
    # arguments), from the digests the worker sent of them afterwards (see codec.fingerprint)
    changed: tuple = ()


def _changed(request: dict, after) -> tuple:
    """The arguments of ``request`` whose fingerprint the worker reports changed (positions, keyword names).

    What the worker reports can only take points away (an argument it says it changed), so a missing or
    malformed report is read as "nothing changed"."""
    if not request.get("fingerprints") or not isinstance(after, dict):
        return ()
    changed = []
    positional, named = after.get("args"), after.get("kwargs")
    for index, sent in enumerate(request["args"]):
        before = codec.fingerprint(sent)
        if (
            before is not None
            and isinstance(positional, list)
            and index < len(positional)
            and isinstance(positional[index], str)
            and positional[index] != before
        ):
            changed.append(index)
    for name, sent in request["kwargs"].items():
        before = codec.fingerprint(sent)
        got = named.get(name) if isinstance(named, dict) else None
        if before is not None and isinstance(got, str) and got != before:
            changed.append(name)
    return tuple(changed)


@dataclass
class Session:
    """The learner's modules of one submission, each in its own worker process."""

    sandbox: Sandbox
    files: dict  # exercise module -> the bytes of its file, as staged
    limits: Limits = field(default_factory=Limits)
    folder: Path | None = None  # the staged folder (the `uid` and `none` levels read the files there)
    _workers: dict = field(default_factory=dict)
    _inits: dict = field(default_factory=dict)
    _deadline: float = 0.0
    _import_errors: dict = field(default_factory=dict)
    _timed_out: dict = field(default_factory=dict)
    seed_salt: int = 0  # 0 for grading; calibration varies it to show tolerances hold for any seed
    seed_key: bytes = b""  # the key of every seed sent to the sandbox (``autograder.course.secret``; never sent itself)
    flavours: dict = field(default_factory=dict)  # exercise module -> "numpy" (NumPy only) or "torch"
    support: dict = field(default_factory=dict)  # exercise module -> (path, source) of its in-sandbox helpers
    preload: dict = field(default_factory=dict)  # exercise module -> library modules to import before forking
    _seed_base: int = 0
    _counter: int = 0
    events: list = field(default_factory=list)
    _shared: dict = field(default_factory=dict)  # digest of a shared request -> (outcome, what it printed)
    reference_seconds: dict = field(default_factory=dict)  # request key -> the reference's time (Limits)
    timings: dict | None = None  # when a dict: request key -> the seconds each answer took (calibration)
    printed: Printed = field(default_factory=Printed)  # what the learner's code printed during the current check
    warned: list = field(default_factory=list)  # the warnings its code raised during the current check (warned_at)
    # the stages in the order their checks run (see look_ahead): (module, "public" or "hidden"); a bare module
    # name stands for its public stage
    plan: tuple = ()
    _phase: str = "public"  # the phase of the checks running now (see retire_others)
    _ahead: dict = field(default_factory=dict)  # stage -> the thread starting its processes ahead of its checks
    _spare: dict = field(default_factory=dict)  # stage -> a worker started ahead, its file not yet imported
    _frozen: set = field(default_factory=set)  # hidden stages whose processes wait, stopped (see retire_others)
    _closing: bool = False

    @property
    def present(self) -> set:
        return set(self.files)

    @staticmethod
    def _stage(entry) -> tuple[str, str]:
        return (entry, "public") if isinstance(entry, str) else tuple(entry)

    def _init(self, stage: tuple[str, str]) -> InitHandle:
        """The init of a stage (an exercise file's public or hidden checks): each has its own (its own PID
        namespace and files), so what one file's code does to processes costs only that stage's checks."""
        init = self._inits.get(stage)
        if init is None:
            module = stage[0]
            if not self._deadline:
                self._deadline = time.monotonic() + self.limits.submission_seconds
            flavour = self.flavours.get(module, "torch")
            files = {f"{module}.py": self.files[module]}
            init = self.sandbox.open_submission(
                flavour, files, self.folder, self.limits, self.support.get(module), self.preload.get(module, ())
            )
            if self._closing:  # (a look-ahead that the end of the submission overtook)
                init.close()
                raise EOFError("the submission has ended")
            self._inits[stage] = init
        return init

    def retire_others(self, module: str, phase: str = "public"):
        """Make ``module``'s ``phase`` the running stage (checks run one stage at a time) and end every other
        one's processes, so that no daemon of one file can serve another file's checks. A file's public
        stage whose hidden stage comes later is frozen instead (at the `namespaces` level: every process in
        its namespace stopped) and thawed when its hidden checks begin; below that level its processes end
        and its hidden stage starts new ones. Every public check runs before any hidden one (``runner``), so
        nothing that ran beside a hidden check is alive while a public one runs."""
        stage = (module, phase)
        self._phase = phase
        spared = {stage, self._after(stage)}
        for other in [m for m in list(self._inits) if m not in spared and m not in self._frozen]:
            if not self._freeze(other):  # (a copy of the keys: a look-ahead may add one)
                self._drop(other)
        if stage in self._frozen:
            self._frozen.discard(stage)
            if not self._inits[stage].pause("thaw"):
                self._drop(stage)  # (it starts again from nothing when its first check asks)
        if module not in self.present:  # no worker of its own to start first
            self.look_ahead(self._after(stage))

    def _freeze(self, stage: tuple[str, str]) -> bool:
        """Stop every process of a public stage whose file has a hidden stage later in the plan (`namespaces`
        level only: there the init is PID 1 of the file's namespace) and make them that hidden stage's."""
        later = (stage[0], "hidden")
        plan = [self._stage(entry) for entry in self.plan]
        if self.sandbox.level != "namespaces" or stage[1] != "public" or later in self._inits:
            return False
        if stage not in plan or later not in plan or plan.index(later) < plan.index(stage):
            return False
        self._join_ahead(stage)
        if stage not in self._inits or not self._inits[stage].pause("freeze"):
            return False
        self._inits[later] = self._inits.pop(stage)
        for pool in (self._workers, self._spare):
            if stage in pool:
                pool[later] = pool.pop(stage)
        self._frozen.add(later)
        return True

    def _drop(self, stage: tuple[str, str]):
        for pool in (self._workers, self._spare):
            worker = pool.pop(stage, None)
            if worker is not None:
                worker.kill()
        init = self._inits.pop(stage, None)
        if init is not None:
            init.close()

    def begin_check(self, name: str):
        """Make seeds depend only on the check's name and the grader's secret key, so every run is the same
        and the seeds say nothing of which check runs (``seed_key``, see ``autograder.course.secret``)."""
        salted = name if not self.seed_salt else f"{self.seed_salt}:{name}"
        digest = hashlib.blake2b(salted.encode(), key=self.seed_key[:64], digest_size=8, person=b"check").digest()
        self._seed_base = int.from_bytes(digest, "little")
        self._counter = 0
        self.printed = Printed()
        self.warned = []

    def _next_seed(self) -> int:
        self._counter += 1
        return (self._seed_base + 7919 * self._counter) % (2**31)

    def _worker(self, module: str) -> WorkerHandle:
        if module not in self.present:
            raise MissingFile(module, None)
        if module in self._import_errors:
            raise self._import_errors[module]
        stage = (module, self._phase)
        worker = self._workers.get(stage)
        if worker is not None:
            return worker
        self._join_ahead(stage)
        try:
            return self._start(stage)
        finally:
            self.look_ahead(self._after(stage))

    def _start(self, stage: tuple[str, str]) -> WorkerHandle:
        """Start the stage's worker (or take the one started ahead) and import the learner's file in it."""
        module = stage[0]
        worker = self._spare.pop(stage, None) or self._spawn(stage)
        try:
            # a fixed seed, outside the check's sequence: a check's calls get the same seeds
            # whether or not its worker had to be started (or restarted) first
            request = {"op": "import", "module": module, "seed": 0}
            self._exchange(worker, module, None, request, self._seconds(request, None, self.limits.import_seconds))
        except StudentError as exc:
            error = ImportFailed(module, None, {"cause": exc})
            self._import_errors[module] = error
            raise error from None
        self._workers[stage] = worker
        return worker

    def _spawn(self, stage: tuple[str, str]) -> WorkerHandle:
        init = self._init(stage)  # a failure here is the grader's (RuntimeError), not the submission's
        try:
            return init.spawn()
        except (EOFError, OSError, codec.ProtocolError, KeyError, ValueError, TypeError):
            raise StudentCrash(stage[0], None) from None  # its init was killed (possible below `namespaces`)

    def _after(self, stage: tuple[str, str]) -> tuple[str, str] | None:
        """The stage whose checks come after ``stage``'s in the plan."""
        plan = [self._stage(entry) for entry in self.plan]
        return plan[plan.index(stage) + 1] if stage in plan and plan.index(stage) + 1 < len(plan) else None

    def look_ahead(self, stage: tuple[str, str] | None):
        """Start a stage's processes (its init and a worker) in a thread while the grader checks the stage
        before it: the forks run on the other core, so its first check need not wait for them. Only the
        sandbox's own code runs ahead; the learner's file is imported when its first check asks, as always,
        so nothing of it runs beside another stage's checks and the outcome is the same."""
        if (
            stage is None
            or stage[0] not in self.present
            or stage in self._inits
            or stage in self._ahead
            or stage[0] in self._import_errors
            or self._closing
        ):
            return

        def start():
            try:
                worker = self._spawn(stage)
            except Exception:  # noqa: BLE001 - its first check starts it again and meets the error itself
                return
            if self._closing:
                worker.kill()
            else:
                self._spare[stage] = worker

        thread = threading.Thread(target=start, name=f"look-ahead {stage[0]} ({stage[1]})", daemon=True)
        self._ahead[stage] = thread
        thread.start()

    def _join_ahead(self, stage: tuple[str, str]):
        thread = self._ahead.pop(stage, None)
        if thread is not None:
            thread.join()

    @staticmethod
    def _key(request: dict) -> str:
        """A request's name in the timing table: ``<module>.<function>``, ``.import`` or ``.probe:<name>``."""
        name = {"call": request.get("function"), "probe": f"probe:{request.get('name')}"}.get(
            request.get("op"), "import"
        )
        return f"{request.get('module')}.{name}"

    def _seconds(self, request: dict, timeout: float | None, cap: float) -> float:
        """The time limit of one request: ``timeout`` if given, else from the reference's time (``Limits``)."""
        return timeout or self.limits.seconds_for(self.reference_seconds.get(self._key(request)), cap)

    def _exchange(self, worker, module, function, request, seconds):
        """Send one request and wait for its answer, at most ``seconds`` (and within the submission's budget).

        The worker may send one notice (``{"where": ..., "printed": ...}``, see ``zygote.Watchdog``) shortly
        before the limit; it is read under the same deadline, so the limit is enforced whatever the
        worker sends, and used only if the answer does not come: to say where the code was stopped.
        """
        if "seed" not in request:
            request["seed"] = self._next_seed()
        left = self._deadline - time.monotonic() if self._deadline else seconds
        if left <= 0:
            raise StudentTimeout(module, function, {"seconds": self.limits.submission_seconds, "budget": True})
        limit = min(seconds, left)
        request["where_after"] = max(0.0, limit - max(0.05, min(0.5, limit / 10)))
        notice = None
        try:
            deadline = time.monotonic() + limit
            codec.send(worker.sock, request)
            answer = codec.receive(worker.sock, deadline=deadline)
            for _ in range(MAX_NOTICES):  # the watchdog's notice (or one the code forged): the answer may follow
                if "ok" in answer or "where" not in answer:
                    break
                notice = answer
                answer = codec.receive(worker.sock, deadline=deadline)
            if "ok" not in answer and "where" in answer:
                raise codec.ProtocolError("too many notices for one request")
        except TimeoutError:
            self._discard(module, worker)
            detail = {"seconds": seconds}
            if left < seconds:
                detail = {"seconds": self.limits.submission_seconds, "budget": True}
            if notice is not None:
                detail["where"] = stopped_at(notice.get("where"), self.files)
                self.printed.add(notice.get("printed"))
            raise StudentTimeout(module, function, detail) from None
        except (EOFError, OSError):
            self._discard(module, worker)
            raise StudentCrash(module, function) from None
        except codec.ProtocolError as exc:
            self._discard(module, worker)
            raise Unreadable(module, function, {"message": str(exc)}) from None
        self.printed.add(answer.get("printed"))
        if "warned" in answer and len(self.warned) < WARNINGS_KEPT:
            self.warned.extend(warned_at(answer["warned"], module, self.files)[: WARNINGS_KEPT - len(self.warned)])
        if self.timings is not None:
            self.timings.setdefault(self._key(request), []).append(limit - (deadline - time.monotonic()))
        if not answer.get("ok"):
            detail = answer.get("error") if isinstance(answer.get("error"), dict) else {}
            raise _error_from_detail(module, function, detail)
        return answer

    def _discard(self, module, worker):
        worker.kill()
        for stage in [stage for stage, known in self._workers.items() if known is worker]:
            del self._workers[stage]

    def _once(self, request: dict, run):
        """``run(request)`` once per submission for the same request: a shared call (see :meth:`call`)."""
        digest = hashlib.blake2b(
            json.dumps([self.seed_salt, request], sort_keys=True).encode(),
            digest_size=16,
            key=self.seed_key[:64],
            person=b"shared",
        ).digest()
        if digest not in self._shared:
            request["seed"] = int.from_bytes(digest[:4], "little") % (2**31)  # from the request, not the check
            outer, self.printed = self.printed, Printed()
            outer_warned, self.warned = self.warned, []
            try:
                outcome = (True, run(request))
            except StudentError as error:
                outcome = (False, error)
            finally:
                printed, self.printed = self.printed, outer
                warned, self.warned = self.warned, outer_warned
            self._shared[digest] = (outcome, printed, warned)
        (ok, value), printed, warned = self._shared[digest]
        self.printed.absorb(printed)
        self.warned.extend(warned[: max(0, WARNINGS_KEPT - len(self.warned))])
        if not ok:  # a copy: each check may add its own notes to the error (a hint, a diagnosis)
            error = type(value).__new__(type(value))
            error.__dict__.update(value.__dict__)
            error.args = value.args
            raise error
        return copy.deepcopy(value)

    def call(
        self,
        module: str,
        function: str,
        *args,
        timeout: float | None = None,
        return_args: bool = False,
        shared: bool = False,
        fingerprints: bool = False,
        **kwargs,
    ) -> CallResult:
        """Call ``module.function(*args, **kwargs)`` in the sandbox and bring the result back.

        ``shared``: the same call (same arguments) made by several checks of a submission runs once, with a
        seed made from the call itself; every check gets its result, or its error, and what it printed.
        For the course's long runs (a training loop the course sets up one way) that several checks read.
        ``fingerprints``: also tell which arguments the call changed (``CallResult.changed``).
        """
        request = {
            "op": "call",
            "module": module,
            "function": function,
            "args": [codec.encode(a) for a in args],
            "kwargs": {k: codec.encode(v) for k, v in kwargs.items()},
            "return_args": return_args,
        }
        if fingerprints:
            request["fingerprints"] = True
        if shared:
            return self._once(request, lambda ready: self._call(module, function, ready, timeout, return_args))
        return self._call(module, function, request, timeout, return_args)

    def _call(self, module, function, request, timeout, return_args) -> CallResult:
        key = (module, function)
        if key in self._timed_out:
            raise StudentTimeout(module, function, {"seconds": self._timed_out[key], "repeat": True})
        worker = self._worker(module)
        seconds = self._seconds(request, timeout, self.limits.call_seconds)
        try:
            answer = self._exchange(worker, module, function, request, seconds)
        except StudentTimeout:
            self._timed_out[key] = seconds
            raise
        try:
            value = codec.decode(answer.get("result", {"t": "none"}))
            args_back = [codec.decode(a) for a in answer["args"]] if return_args else None
        except (codec.ProtocolError, KeyError, TypeError) as exc:
            raise Unreadable(module, function, {"message": str(exc)}) from None
        return CallResult(value, args_back, _changed(request, answer.get("fingerprints")))

    def probe(
        self,
        module: str,
        name: str,
        *args,
        function: str,
        timeout: float | None = None,
        shared: bool = False,
        fingerprints: bool = False,
    ):
        """Run a trusted diagnostic (``PROBES[name]`` of the exercise's in-sandbox helpers) next to the learner's
        module (``shared``: as for :meth:`call`). ``fingerprints``: return ``(value, changed)``, ``changed`` the
        positions of the arguments the probe's run of the learner's code changed (see ``CallResult.changed``)."""
        request = {"op": "probe", "module": module, "name": name, "args": [codec.encode(a) for a in args]}
        if fingerprints:
            request["fingerprints"] = True
        if shared:
            return self._once(request, lambda ready: self._probe(module, function, ready, timeout))
        return self._probe(module, function, request, timeout)

    def _probe(self, module, function, request, timeout):
        key = (module, function)  # a probe runs the learner's ``function``: once that ran out of time, it would again
        if key in self._timed_out:
            raise StudentTimeout(module, function, {"seconds": self._timed_out[key], "repeat": True})
        worker = self._worker(module)
        seconds = self._seconds(request, timeout, self.limits.call_seconds)
        try:
            answer = self._exchange(worker, module, function, request, seconds)
        except StudentTimeout:
            self._timed_out[key] = seconds
            raise
        try:
            value = codec.decode(answer.get("result", {"t": "none"}))
        except codec.ProtocolError as exc:
            raise Unreadable(module, function, {"message": str(exc)}) from None
        if request.get("fingerprints"):
            return value, _changed({**request, "kwargs": {}}, answer.get("fingerprints"))
        return value

    def close(self):
        """End the submission: every process it started is killed (see the README's threat model)."""
        self._closing = True  # a look-ahead still opening closes what it gets (see look_ahead, _init)
        for _ in range(2):  # again once the look-ahead has ended: what it added meanwhile
            for pool in (self._workers, self._spare):
                while pool:
                    pool.popitem()[1].kill()
            while self._inits:  # (a look-ahead waiting for its worker from one of them gets an EOF at once)
                self._inits.popitem()[1].close()
            threads = list(self._ahead.values())
            self._ahead.clear()
            for thread in threads:  # only the sandbox's own code: an open and a spawn
                thread.join(timeout=CLOSE_SECONDS)
        if self.sandbox.level == "uid":
            uid = self.limits.uid if self.limits.uid is not None else sandbox_ids()[0]
            self.sandbox.reap(uid, keep=(str(self.folder),) if self.folder is not None else ())

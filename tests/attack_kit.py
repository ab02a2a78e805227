"""The attack campaign: build every hostile submission, grade them in every mode, collect the evidence.

Each file in ``tests/attacks/`` is one attack: constants (``MODULE``, ``CLASS``, ``MODES``, ``BASE``,
optional ``LAYOUT``, ``BASELINE``, ``GRADE``, ``ORDER``, ``GROUP``, ``PEER``, ``LEAKS``, ``SHOWS``, ``HOLD``: bytes
of System V memory it tries to keep, ``PAIR``: (another module, source spliced into it) for the ``page_cache_pair``
layout) and code. ``LEAKS`` may name ``HIDDEN_INPUTS``: no number a hidden check of the module (or of the
``PAIR``'s) hands the learner's code may appear in a public check's message (:func:`hidden_inputs`).
Functions the exercise file already defines are replaced (as in ``tests/buggy``); everything else in the
attack file (imports, helpers, module-level code) is appended to the exercise file, so it runs at import.
``_ATTACK`` (a dict: the attack's marker, the campaign id, paths and ports the attack may aim at)
and the helpers of ``tests/attacks/_common.py`` are put at the top.

Everything an attack could reach is the test's own: a scratch folder, the checkout (restored by
:func:`restore`), the venv's site-packages (planted files removed), and processes whose command
line (or an ancestor's) holds the campaign id. The whole class is graded in a few runs, in parallel
streams: grade mode in this process (or one ``python -m autograder grade`` per attack where the grader
itself is the target), one ``batch`` run (plus one for the disruptive attacks), Gradescope runs holding
up to one attack per exercise file, and one nbgrader course graded by the real ``nbgrader autograde``.
The separate grader processes (batch, Gradescope, ``python -m autograder grade``) are jobs that two
streams take in turn, the longest first, joined by the grade mode's stream once its own attacks are
graded, so that the streams end together (``tests/test_attacks.py``).

Most of the time goes into grading, so a submission holds only what its verdicts need
(:attr:`Attack.narrow`): a ``solutions``-based attack that does not claim ``OTHERS_INTACT`` hands in the
attacked exercise file alone, and its honest counterpart (:meth:`Campaign.baseline`) is that same file
graded alone; a Gradescope run holds its attacks' files only (its verdicts are about the attacked
exercise). The honest counterparts are graded before any submitted code runs.

The nbgrader mode (``tests/attack_notebooks.py``): one course, ONE ``nbgrader generate_assignment`` and
ONE ``nbgrader autograde`` for every attack in that mode, one nbgrader student per attack between two
honest students with the reference solutions (``aa_honest`` graded first, ``zz_honest`` last: students
are autograded in sorted order). An attack's student hands in the attacked notebook only (the others
score 0): nbgrader grades each notebook with a grade() call of its own, one after the other, so
whether the notebooks graded after a disruptive one keep their points (``OTHERS_INTACT``) is what
every later student's notebook, ``zz_honest``'s among them, already shows. The attack's spliced
exercise file becomes the learner's notebook: each solution cell holds that function, ``_ATTACK`` and
the helpers a cell after the setup cell, the rest of the attack a last cell (the harness checks that
all of it is graded). The channel grades ``autograder.channels.notebook.definitions()`` of the code cells:
imports, function and class definitions and assignments that call nothing; every other module-level
statement is dropped before grading. Hence the rule, :func:`nbgrader_applies`, which ``MODES`` must follow (a test
checks it) -- an attack gets the nbgrader mode if and only if

* its hostile code survives ``definitions()``: it sits in the graded functions, in helpers they call,
  or in assignments that call nothing (``torch.Tensor.backward = _lying_backward``), i.e. none of its
  top-level statements is dropped. An attack acting
  through a module-level statement that calls something (``_DONE = _sabotage()``, a ``for`` loop,
  ``_atk_daemon(...)``) would run nothing there and prove nothing (that such statements never run is
  tested in ``tests/test_nbgrader.py``; that import-time code smuggled past ``definitions()`` through a
  decorator, a class body or a default argument stays in the sandbox is ``nb_import_smuggle``);
* it needs no staging ``LAYOUT`` (links, FIFOs, devices, zips: nbgrader reads the notebook's JSON
  itself and the channel grades a fresh file it writes) and is not about a batch folder name
  (``STUDENT``, the CSV) or another channel's output files;
* its ``PEER`` (the attack that prepares what it looks for) applies too.
"""

from __future__ import annotations

import ast
import concurrent.futures
import csv
import hashlib
import inspect
import io
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import registry
from autograder.course.stubs import strip_solution

EXERCISES = registry.names()  # discovered from the files, never listed here
COURSE = registry.course(include_hidden=True)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ATTACKS = Path(__file__).parent / "attacks"
COMMON = ATTACKS / "_common.py"
SECRET_NAME = "AUTOGRADER_TEST_SECRET"
MODES = ("grade", "batch", "gradescope", "nbgrader")
SUBPROCESS_CLASSES = {"signals", "proc", "forged"}
TIMEOUT = 4  # seconds per call into a submission (hostile loops are stopped sooner)
SITE_PACKAGES = Path(next(p for p in sys.path if p.endswith("site-packages") and p.startswith(str(ROOT))))
SCAN_DIRS = [Path("/tmp"), Path("/dev/shm"), Path("/var/tmp")]
HONEST = ("aa_honest", "zz_honest")
WHOLE_LAYOUTS = {"zip_many_entries"}  # layouts that write every exercise file themselves


# ----------------------------------------------------------------- loading attacks


@dataclass
class Attack:
    name: str
    path: Path
    meta: dict
    source: str

    @property
    def module(self) -> str:
        return self.meta["MODULE"]

    @property
    def cls(self) -> str:
        return self.meta["CLASS"]

    @property
    def modes(self) -> tuple:
        return tuple(self.meta["MODES"])

    @property
    def base(self) -> str:
        return self.meta.get("BASE", "solutions")

    @property
    def grade_kind(self) -> str:
        return self.meta.get("GRADE", "subprocess" if self.cls in SUBPROCESS_CLASSES else "inprocess")

    @property
    def narrow(self) -> bool:
        """Whether its submission holds the attacked exercise file only (see :data:`WHOLE_LAYOUTS`).

        The other files of a ``solutions``-based submission are reference copies: already at full marks,
        they cannot show a gain, and only ``OTHERS_INTACT`` asserts anything about them, so grading them
        would cost time and prove nothing. A missing file scores 0 in the attack's run and in its honest
        counterpart alike (:meth:`Campaign.baseline` grades the same single file), so a point of any
        other exercise would now show as a gain. ``stubs``-based submissions keep their (cheap) stubs:
        points appearing in those files are how an attack leaking across files would show.
        """
        return self.base == "solutions" and not self.meta.get("OTHERS_INTACT") and \
            self.meta.get("LAYOUT") not in WHOLE_LAYOUTS

    @property
    def modules(self) -> list[str]:
        """The exercise files its submission holds (before its ``LAYOUT`` changes them)."""
        return [self.module] if self.narrow else list(EXERCISES)


def load_attacks() -> list[Attack]:
    attacks = []
    for path in sorted(ATTACKS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text()
        meta = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper() and not node.targets[0].id.startswith("_"):
                meta[node.targets[0].id] = eval(compile(ast.Expression(node.value), str(path), "eval"), {"__builtins__": {}})
        meta["doc"] = (ast.get_docstring(ast.parse(source)) or "").splitlines()[0:1]
        attack = Attack(path.stem, path, meta, source)
        assert attack.module in EXERCISES and set(attack.modes) <= set(MODES), path
        attacks.append(attack)
    return attacks


def base_source(module: str, base: str) -> str:
    text = (SOLUTIONS / f"{module}.py").read_text()
    return strip_solution(text, module) if base == "stubs" else text


def attack_pieces(source: str, attack_source: str) -> tuple[dict[str, str], list[str]]:
    """({name: text} of the functions of ``source`` the attack replaces, [the rest of the attack, in order])."""
    tree = ast.parse(attack_source)
    base_names = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    replacements, extra = {}, []
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper() and not node.targets[0].id.startswith("_"):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "".join(attack_source.splitlines(keepends=True)[start - 1:node.end_lineno])
        if isinstance(node, ast.FunctionDef) and node.name in base_names:
            replacements[node.name] = text
        else:
            extra.append(text)
    return replacements, extra


def splice_attack(source: str, attack_source: str) -> str:
    """Replace the functions ``source`` defines; append the rest of the attack (not its constants)."""
    replacements, extra = attack_pieces(source, attack_source)
    lines = source.splitlines(keepends=True)
    spans = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in replacements:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((start, node.end_lineno, replacements[node.name]))
    for start, end, text in sorted(spans, reverse=True):
        lines[start - 1:end] = [text]
    return "".join(lines) + "\n\n" + "\n\n".join(extra) + "\n"


def dropped_in_notebooks(attack: "Attack") -> list[str]:
    """The attack's top-level statements that ``autograder.channels.notebook.definitions()`` drops (first lines)."""
    from autograder.grading.notebook_cells import definitions

    _, extra = attack_pieces(base_source(attack.module, attack.base), attack.source)
    return [text.strip().splitlines()[0][:80] for text in extra if not definitions([text]).strip()]


def nbgrader_applies(attack: "Attack", by_name: dict | None = None) -> str:
    """'' if the attack belongs in the nbgrader mode, else why not (the rule is in the module's docstring)."""
    if attack.meta.get("LAYOUT"):
        return f"staging layout {attack.meta['LAYOUT']!r}: nbgrader reads the notebook file itself"
    if attack.meta.get("STUDENT"):
        return "about a batch folder name and the CSV"
    dropped = dropped_in_notebooks(attack)
    if dropped:
        return f"acts through module-level statements the notebook channel drops: {dropped}"
    peer = attack.meta.get("PEER")
    if peer and by_name is not None and peer in by_name and nbgrader_applies(by_name[peer], by_name):
        return f"its peer {peer} does not apply"
    return ""


def md_plain(text: str) -> str:
    """Gradescope's Markdown outputs with their backslash escapes removed (the text as it renders)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def marker_for(campaign: str, name: str, mode: str) -> str:
    return "atk" + hashlib.sha1(f"{campaign}/{name}/{mode}".encode()).hexdigest()[:12]


# ----------------------------------------------------------------- the campaign's surroundings


class Listener:
    """A TCP listener on 127.0.0.1 and an abstract unix socket; records what anyone sends."""

    def __init__(self, campaign: str):
        self.received: list[bytes] = []
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.port = self.tcp.getsockname()[1]
        self.abstract = f"atk-{campaign}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen(64)
        self._stop = False
        for server in (self.tcp, self.unix):
            threading.Thread(target=self._serve, args=(server,), daemon=True).start()

    def _serve(self, server):
        server.settimeout(0.5)
        while not self._stop:
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(2)
            data = b"connected:"
            try:
                while len(data) < 4096:
                    chunk = conn.recv(1024)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            conn.close()
            self.received.append(data)

    def close(self):
        self._stop = True
        self.tcp.close()
        self.unix.close()


def proc_table() -> list[dict]:
    rows = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            comm = Path(f"/proc/{entry}/comm").read_text().strip()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
        rows.append({"pid": int(entry), "cmd": cmd, "comm": comm, "uid": uid, "ppid": ppid})
    return rows


def running_with(marker: str, table=None) -> list[dict]:
    return [p for p in (table or proc_table()) if marker in p["cmd"] or marker in p["comm"]]


def kill_marked(marker: str):
    """Kill, by pid, the processes an attack left (their name or command line holds its marker)."""
    for _ in range(3):
        found = running_with(marker)
        for proc in found:
            try:
                os.kill(proc["pid"], signal.SIGKILL)
            except OSError:
                pass
        if not found:
            return
        time.sleep(0.2)


def marked_paths(markers: list[str], extra_dirs: list[Path]) -> dict[str, list[str]]:
    """Files or folders whose name holds a marker, in /tmp, /dev/shm, /var/tmp (two levels) and ``extra_dirs``."""
    found: dict[str, list[str]] = {}

    def look(path: Path):
        for m in markers:
            if m in path.name:
                found.setdefault(m, []).append(str(path))

    for top in SCAN_DIRS + extra_dirs:
        try:
            entries = list(top.iterdir())
        except OSError:
            continue
        for entry in entries:
            look(entry)
            if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith("pytest-of"):
                try:
                    for sub in list(entry.iterdir())[:2000]:
                        look(sub)
                except OSError:
                    pass
    return found


def marked_contents(markers: list[str], folders: list[Path]) -> dict[str, list[str]]:
    """Text files under ``folders`` that hold a marker (tampering with the checkout)."""
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if "__pycache__" in path.parts or not path.is_file() or path.stat().st_size > 2_000_000:
                continue
            try:
                data = path.read_text(errors="ignore")
            except OSError:
                continue
            for m in markers:
                if m in data or m in path.name:
                    found.setdefault(m, []).append(str(path))
    return found


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def strip_marker_lines(path: Path, markers: list[str]):
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError):
        return
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not any(m in line for m in markers)]
    if len(kept) != len(lines):
        while kept and kept[-1].strip() == "" and not text.endswith("\n\n"):
            kept.pop()
        path.write_text("".join(kept).rstrip("\n") + "\n")


def restore(markers: list[str], backup: Path):
    """Undo whatever an attack did to the checkout, the venv and the machine's temporary folders.

    Attacks only ever append lines holding their marker, or create files whose name holds it, so
    removing exactly those keeps anyone else's concurrent edits. If a protected file still differs
    from the backup after that and holds a marker, the backup is copied back.
    """
    for m in markers:
        kill_marked(m)
    targets = [ROOT / "solutions", ROOT / "autograder", SITE_PACKAGES]
    found = marked_contents(markers, [ROOT / "solutions", ROOT / "autograder"])
    for paths in found.values():
        for p in map(Path, paths):
            if any(m in p.name for m in markers):
                p.unlink(missing_ok=True)
            else:
                strip_marker_lines(p, markers)
    for sol in (ROOT / "solutions").glob("*.py"):
        saved = backup / "solutions" / sol.name
        # only a file that still holds a marker: anything else that differs is someone's concurrent edit
        # (test_reference_solutions_unchanged reports it), never to be reverted
        if saved.is_file() and sol.read_bytes() != saved.read_bytes() and any(m in sol.read_text(errors="ignore")
                                                                             for m in markers):
            shutil.copyfile(saved, sol)
    for entry in SITE_PACKAGES.iterdir():
        if any(m in entry.name for m in markers):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for paths in marked_paths(markers, user_site_dirs()).values():
        for p in map(Path, paths):
            try:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            except OSError:
                pass
    del targets


def user_site_dirs() -> list[Path]:
    """Other places a planted .pth would run from (the user site, the base interpreter's site-packages)."""
    base = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    user = Path.home() / ".local" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    return [base, user]


def sysv_objects() -> list[dict]:
    """Every System V object of the host's IPC namespace: {kind, key, id, cuid, bytes} (``/proc/sysvipc``)."""
    found = []
    for kind, ident, size in (("shm", "shmid", "size"), ("msg", "msqid", "cbytes"), ("sem", "semid", "nsems")):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except OSError:
            continue
        header = lines[0].split() if lines else []
        for line in lines[1:]:
            row = dict(zip(header, line.split()))
            found.append({"kind": kind, "key": int(row.get("key", 0)), "id": int(row.get(ident, -1)),
                          "cuid": int(row.get("cuid", -1)), "bytes": int(row.get(size, 0))})
    return found


def meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes (``MemAvailable``; ``Shmem``: System V segments and every tmpfs)."""
    out = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if parts and parts[0].isdigit():
            out[name] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return out


def ipc_key(marker: str, offset: int = 0) -> int:
    """The System V keys an attack uses (``tests/attacks/ipc_sysv_orphan.py``: the marker's last 7 hex digits)."""
    return (int(marker[-7:], 16) + offset) & 0x7FFFFFFF


def hidden_inputs(exercise: str) -> set[str]:
    """repr() of every float the exercise's hidden checks hand the learner's functions (with this process's
    secret): run each hidden check with a recording stand-in for the learner that answers as the reference."""
    from autograder.course.reference import Reference

    reference, seen = Reference(), set()

    def note(value):
        if isinstance(value, float) and len(repr(value)) >= 12:  # drawn numbers (not lr=0.05, which any text may hold)
            seen.add(repr(value))
        elif isinstance(value, (list, tuple)):
            for item in value:
                note(item)

    class Module:
        def __init__(self, short):
            self.short = short

        def __getattr__(self, function):
            def call(*args, **kwargs):
                for value in [*args, *kwargs.values()]:
                    note(value)
                    if hasattr(value, "tolist") and getattr(value, "size", 0) <= 10_000:
                        note(value.tolist())
                return getattr(getattr(reference, self.short), function)(*args, **kwargs)
            return call

    class Student:
        def __getattr__(self, short):
            return Module(short)

    for check in COURSE.exercise(exercise).checks:
        if check.visibility != "hidden":
            continue
        test = check.test
        try:
            test(**{name: (Student() if name == "student" else reference)
                    for name in inspect.signature(test).parameters})
        except Exception:  # noqa: BLE001 - a check that needs more than calls (a probe): its inputs so far count
            pass
    return seen


# ----------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    attack: str
    mode: str
    marker: str
    ran: bool = True
    rc: int | None = 0
    error: str = ""  # the harness could not run it (or the grader crashed)
    scores: dict = field(default_factory=dict)  # exercise -> points (None if no report)
    texts: list = field(default_factory=list)  # every output the attack's grading produced
    notes: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)  # path -> content right after the grader finished
    statuses: dict = field(default_factory=dict)  # (exercise, function) -> [status]
    messages: list = field(default_factory=list)
    public_messages: list = field(default_factory=list)  # the messages of public checks: what a learner sees at once
    isolation: str = ""
    seconds: float = 0.0
    group: str = ""
    forged: list = field(default_factory=list)
    findings: list = field(default_factory=list)  # problems the harness itself saw (nbgrader mode)

    def text(self) -> str:
        return "\n".join(self.texts)


def scores_from_tests(tests: list[dict], key="exercise") -> dict:
    scores = {e: 0.0 for e in EXERCISES}
    for t in tests:
        scores[t[key]] = scores.get(t[key], 0.0) + float(t["score"])
    return scores


# ----------------------------------------------------------------- the campaign


class Campaign:
    def __init__(self, workdir: Path, attacks: list[Attack]):
        self.id = "c" + uuid.uuid4().hex[:10]
        self.workdir = workdir / f"campaign-{self.id}"
        self.workdir.mkdir(parents=True)
        self.attacks = attacks
        self.secret = "s3cr3t-" + uuid.uuid4().hex
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        self.baselines: dict[str, dict] = {}
        self.honest: dict[str, dict] = {}  # batch run -> {student: scores}
        self.batch_rows: dict[str, dict] = {}
        self.batch_csv: dict[str, str] = {}
        self.leftover: dict[str, list] = {}
        self.leftover_files: dict[str, list] = {}
        self.tampered: dict[str, list] = {}
        self.classmate_changed: dict[str, bool] = {}
        self.net: list[bytes] = []
        self.sentinel_alive = True
        self.timings: dict[str, float] = {}
        self.orphans: list[dict] = []
        self.started = time.monotonic()
        self.classmate_hashes: dict = {}
        self.batch_error: dict = {}
        self.nb_course: Path | None = None  # the nbgrader mode's course (see run_nbgrader)
        self.nb_students: dict[str, tuple[str, list[str]]] = {}  # attack -> (nbgrader student, notebooks handed in)
        self.nb_scores: dict[str, dict | None] = {}  # student -> gradebook scores right after autograde
        self.nb_hashes: dict[str, str] = {}
        self.nb_course_changed: list[str] = []
        self.nb_gradebook_changed: dict = {}
        self.nb_secret_files: list[str] = []
        self.nb_error = ""
        self.nb_honest_disagree: list[str] = []
        self.backup = self.workdir / "backup"
        shutil.copytree(ROOT / "solutions", self.backup / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
        self.rootonly = self.workdir / "rootonly.txt"
        self.rootonly_token = f"ROOTONLY-{uuid.uuid4().hex}"
        self.rootonly.write_text(f"root only {self.rootonly_token} = (\n")
        self.rootonly.chmod(0o600)
        self.listener = Listener(self.id)
        self.sentinel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)", f"sentinel-{self.id}"],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
        self.site_listing = sorted(p.name for p in SITE_PACKAGES.iterdir())
        self.tmp_before = {str(p) for d in SCAN_DIRS if d.is_dir() for p in d.iterdir()}
        self.ipc_before, self.memory_before = sysv_objects(), meminfo()  # (see settle_and_inspect)
        from autograder.course import secret

        secret._file_secret(secret.HIDDEN / secret.FILE_NAME)  # the checkout's secret file exists: env_grader_secret
        self.ipc_after: list[dict] = []
        self.memory_after: dict = {}

    # -- helpers ------------------------------------------------------------
    def markers(self) -> list[str]:
        return [o.marker for o in self.outcomes.values()] + [marker_for(self.id, a.name, m)
                                                            for a in self.attacks for m in MODES]

    def env(self, **extra) -> dict:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
               "LANG": "C.UTF-8", SECRET_NAME: self.secret, "ATK_CAMPAIGN": self.id}
        for key in ("AUTOGRADER_SANDBOX_LEVEL", "LD_LIBRARY_PATH", "AUTOGRADER_SECRET"):
            if key in os.environ:
                env[key] = os.environ[key]
        env.update(extra)
        return env

    def config(self, attack: Attack, mode: str, **paths) -> dict:
        peer = attack.meta.get("PEER")
        return {
            "marker": marker_for(self.id, attack.name, mode), "campaign": self.id, "mode": mode,
            "secret_name": SECRET_NAME, "port": self.listener.port, "abstract": self.listener.abstract,
            "sentinel_pid": self.sentinel.pid, "site_packages": str(SITE_PACKAGES),
            "user_sites": [str(p) for p in user_site_dirs()],
            "peer_marker": marker_for(self.id, peer, mode) if peer else "",
            "checkout": str(ROOT), "solutions": str(SOLUTIONS), "classmates": [], "outputs": [],
            "check_names": sorted(c.test_id for c in COURSE.checks),
            **paths,
        }

    def build(self, attack: Attack, folder: Path, config: dict, write_base: bool = True) -> Path:
        """Write the attack's submission into ``folder`` (or the layout it asks for); returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        if write_base:
            for module in attack.modules:
                (folder / f"{module}.py").write_text(base_source(module, attack.base))
        layout = attack.meta.get("LAYOUT")
        if layout:
            from attack_layouts import LAYOUTS

            return LAYOUTS[layout](self, attack, folder, config)
        prelude = f"_ATTACK = {json.dumps(config)!s}\n" + COMMON.read_text() + "\n\n"
        target = folder / f"{attack.module}.py"
        target.write_text(prelude + splice_attack(target.read_text(), attack.source))
        return folder

    def honest_copy(self, folder: Path, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for module in EXERCISES:
            (folder / f"{module}.py").write_text(base_source(module, "solutions") + f"\n# classmate-token-{self.id}-{name}\n")
        return folder

    # -- baselines (honest counterparts, graded in this process) ---------------
    @staticmethod
    def _baseline_key(attack: Attack) -> str:
        """Which honest counterpart: the whole base, or (narrow) the attacked file of the base alone."""
        return f"{attack.base}:{attack.module}" if attack.narrow else attack.base

    def compute_baselines(self, grade_fn):
        """Grade every honest counterpart the attacks are compared with, laid out as the attacks are."""
        variants = {"solutions": (None, list(EXERCISES)), "stubs": (None, list(EXERCISES))}
        for attack in self.attacks:
            if "BASELINE" in attack.meta:
                variants[f"baseline:{attack.name}"] = (attack, attack.modules)
            elif attack.narrow and not attack.meta.get("LAYOUT"):
                variants[self._baseline_key(attack)] = (None, attack.modules)
        for key, (attack, modules) in variants.items():
            folder = self.workdir / "baselines" / key.replace(":", "_")
            folder.mkdir(parents=True)
            base = key.split(":")[0] if attack is None else attack.base
            for module in modules:
                text = base_source(module, base)
                if attack is not None and module == attack.module:
                    text = splice_attack(text, attack.meta["BASELINE"])
                (folder / f"{module}.py").write_text(text)
            report = grade_fn(folder)
            self.baselines[key] = scores_from_tests([t.to_dict() for t in report.tests])

    def baseline(self, attack: Attack) -> dict:
        if "BASELINE" in attack.meta:
            return self.baselines[f"baseline:{attack.name}"]
        if attack.meta.get("LAYOUT") and attack.meta.get("LAYOUT_REPLACES", True):
            # the file is not (honestly) submitted at all; a narrow submission holds nothing else
            scores = {e: 0.0 for e in EXERCISES} if attack.narrow else dict(self.baselines[attack.base])
            scores[attack.module] = 0.0
            return scores
        return self.baselines[self._baseline_key(attack)]

    def baseline_for(self, attack: Attack, mode: str) -> dict:
        """The honest counterpart's scores in ``mode``. In nbgrader mode an attack's student hands in the
        attacked notebook only, and a notebook not handed in scores 0."""
        scores = dict(self.baseline(attack))
        if mode == "nbgrader":
            scores = {e: (v if e == attack.module else 0.0) for e, v in scores.items()}
        return scores

    # -- grade mode -----------------------------------------------------------
    def run_grade_inprocess(self, attack: Attack, grade_fn):
        mode = "grade"
        out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group="inprocess")
        folder = self.workdir / "grade" / attack.name
        classmate = self.honest_copy(self.workdir / "grade-classmates" / attack.name, "grade_classmate")
        self.classmate_hashes[f"{attack.name}/{mode}"] = (classmate, tree_hash(classmate))
        config = self.config(attack, mode, classmates=[str(classmate)])
        path = self.build(attack, folder, config)
        started = time.monotonic()
        try:
            report = grade_fn(path)
        except Exception as exc:  # noqa: BLE001 - the grader broke: that is a finding
            out.error = f"grade() raised {type(exc).__name__}: {exc}"[:2000]
            out.rc = None
        else:
            data = report.to_dict()
            out.scores = scores_from_tests(data["tests"])
            out.texts += [report.render(str(path)), json.dumps(data)]
            out.notes = list(report.notes)
            out.isolation = report.isolation
            self._statuses(out, data["tests"])
        out.seconds = time.monotonic() - started
        self.outcomes[(attack.name, mode)] = out

    def run_grade_subprocess(self, attack: Attack):
        mode = "grade"
        out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group="subprocess")
        folder = self.workdir / "grade" / attack.name
        classmate = self.honest_copy(self.workdir / "grade-classmates" / attack.name, "grade_classmate")
        self.classmate_hashes[f"{attack.name}/{mode}"] = (classmate, tree_hash(classmate))
        json_out = self.workdir / "grade-json" / f"{attack.name}.json"
        json_out.parent.mkdir(parents=True, exist_ok=True)
        config = self.config(attack, mode, classmates=[str(classmate)], outputs=[str(json_out)])
        path = self.build(attack, folder, config)
        started = time.monotonic()
        try:
            run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--json", str(json_out),
                                  "--timeout", str(TIMEOUT)], cwd=ROOT, env=self.env(), capture_output=True,
                                 text=True, timeout=120, start_new_session=True)
            out.rc = run.returncode
            out.texts += [run.stdout[-200_000:], run.stderr[-200_000:]]
            if run.returncode != 0:
                out.error = f"`python -m autograder grade` exited with {run.returncode}: {run.stderr[-1500:]}"
        except subprocess.TimeoutExpired as exc:
            out.rc, out.error = None, "`python -m autograder grade` did not finish within 120 s"
            out.texts.append(str(exc.stdout or "")[-10000:])
        if json_out.is_file():
            content = json_out.read_text(errors="replace")
            out.outputs[str(json_out)] = content
            out.texts.append(content)
            try:
                data = json.loads(content)
                out.scores = scores_from_tests(data["tests"])
                out.isolation = data.get("isolation", "")
                self._statuses(out, data["tests"])
            except (ValueError, KeyError, TypeError) as exc:
                out.error = out.error or f"unreadable JSON report: {exc}"
        elif not out.error:
            out.error = "no JSON report was written"
        out.notes = [line.strip()[2:] for line in out.texts[0].splitlines() if line.strip().startswith("! ")] \
            if out.texts else []
        out.seconds = time.monotonic() - started
        self.outcomes[(attack.name, mode)] = out

    @staticmethod
    def _statuses(out: Outcome, tests: list[dict]):
        for t in tests:
            out.statuses.setdefault((t["exercise"], t["function"]), []).append((t["status"], t["score"]))
            out.messages.append(t.get("message", "") or t.get("output", ""))
            if t.get("visibility") in ("public", "visible"):  # (Gradescope: hidden ones are "after_published")
                out.public_messages.append(out.messages[-1])

    # -- batch mode -----------------------------------------------------------
    def run_batch(self, group: str, attacks: list[Attack]):
        mode = "batch"
        klass = self.workdir / f"class-{group}"
        out_csv = self.workdir / f"grades-{group}.csv"
        reports = self.workdir / f"grades-{group}_reports"
        classmates = [klass / name for name in HONEST]
        for name in HONEST:
            self.honest_copy(klass / name, name)
        folders = {}
        for attack in attacks:
            prefix = {"early": "ab", "late": "zy"}.get(attack.meta.get("ORDER", ""), "m")
            student = attack.meta.get("STUDENT") or f"{prefix}_{attack.name}"
            mine = reports / f"{student}.json"
            config = self.config(attack, mode, classmates=[str(c) for c in classmates],
                                 outputs=[str(out_csv), str(mine)])
            folders[attack.name] = (student, self.build(attack, klass / student, config))
        hashes = {c.name: tree_hash(c) for c in classmates}
        started = time.monotonic()
        error, texts = "", []
        try:
            run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--out", str(out_csv),
                                  "-j", "2", "--timeout", str(TIMEOUT)], cwd=ROOT, env=self.env(),
                                 capture_output=True, text=True, timeout=400, start_new_session=True)
            texts = [run.stdout[-200_000:], run.stderr[-200_000:]]
            if run.returncode != 0:
                error = f"`python -m autograder batch` exited with {run.returncode}: {run.stderr[-1500:]}"
        except subprocess.TimeoutExpired:
            error = "`python -m autograder batch` did not finish within 400 s"
        self.timings[f"batch-{group}"] = time.monotonic() - started
        csv_text = out_csv.read_text(errors="replace") if out_csv.is_file() else ""
        self.batch_csv[group] = csv_text
        rows = {row["student"]: row for row in csv.DictReader(io.StringIO(csv_text))} if csv_text else {}
        self.batch_rows[group] = rows
        self.honest[group] = {}
        for name in HONEST:
            self.honest[group][name] = self._batch_scores(rows.get(name), reports / f"{name}.json")
            self.classmate_changed[f"{group}/{name}"] = tree_hash(klass / name) != hashes[name]
        self.batch_error = getattr(self, "batch_error", {})
        self.batch_error[group] = error
        for attack in attacks:
            student, _ = folders[attack.name]
            out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group=f"batch-{group}")
            report_path = reports / f"{student}.json"
            row = rows.get(student) or rows.get("'" + student)
            out.texts = list(texts) + [csv_text]
            out.outputs[str(out_csv)] = csv_text
            if report_path.is_file():
                content = report_path.read_text(errors="replace")
                out.outputs[str(report_path)] = content
                out.texts.append(content)
                try:
                    data = json.loads(content)
                    out.scores = scores_from_tests(data.get("tests", []))
                    out.isolation = data.get("isolation", "")
                    self._statuses(out, data.get("tests", []))
                except ValueError as exc:
                    out.error = f"unreadable JSON report: {exc}"
            if row is None:
                out.error = error or f"no row for {student} in the CSV"
            elif row.get("status", "").startswith("grader error"):
                out.error = f"row status: {row['status']}"
            elif error:
                out.error = error
            if row is not None:
                out.isolation = out.isolation or row.get("sandbox", "")
            out.seconds = self.timings[f"batch-{group}"]
            self.outcomes[(attack.name, mode)] = out

    @staticmethod
    def _batch_scores(row, report_path: Path):
        if row is None:
            return None
        return {e: float(row[e]) for e in EXERCISES} | {"status": row.get("status"), "sandbox": row.get("sandbox")}

    # -- gradescope mode --------------------------------------------------------
    @staticmethod
    def runs_alone(attack: Attack) -> bool:
        """A zip replaces the whole submission; a disruptive attack would take its run's neighbours down with it."""
        return "zip" in attack.meta.get("LAYOUT", "") or attack.meta.get("GROUP") == "disruptive"

    def gradescope_groups(self, attacks: list[Attack]) -> list[list[list[Attack]]]:
        """The Gradescope runs, in the order they must run: [[attack, ...] per run] per phase.

        Up to one attack per exercise file in a run (the submission holds that exercise's file once);
        an attack that :meth:`runs_alone` has a run of its own; an attack with a ``PEER`` runs after
        its peer's run. Runs are filled first-fit, the exercise with the most attacks first, so that
        their number is that exercise's count (plus the lone ones). A run's submission holds its attacks'
        files only: the gradescope verdicts compare the attacked exercise alone, so a file nobody attacks
        would be graded for nothing.
        """
        grouped = [a for a in attacks if not self.runs_alone(a)]
        count = {m: sum(a.module == m for a in grouped) for m in EXERCISES}
        grouped.sort(key=lambda a: (bool(a.meta.get("PEER")), -count[a.module], a.module, a.name))
        runs: list[list[Attack]] = []
        run_of: dict[str, int] = {}
        for attack in grouped:
            peer = attack.meta.get("PEER")
            earliest = run_of[peer] + 1 if peer in run_of else 0
            for index in range(earliest, len(runs)):
                if all(g.module != attack.module for g in runs[index]):
                    runs[index].append(attack)
                    break
            else:
                index = len(runs)
                runs.append([attack])
            run_of[attack.name] = index
        return [runs, [[a] for a in attacks if self.runs_alone(a)]]

    def run_gradescope(self, attacks: list[Attack], autograder_zip: Path, index: int):
        from test_gradescope import gradescope_root

        mode = "gradescope"
        where = self.workdir / f"gs-{index}"
        where.mkdir(parents=True)
        root = gradescope_root(where, autograder_zip)
        results = root / "results" / "results.json"
        sub = root / "submission"
        staging = where / "staging"
        assert len({a.module for a in attacks}) == len(attacks), "one attack per exercise file in a run"
        layouts = []
        for attack in attacks:
            config = self.config(attack, mode, checkout=str(root / "source"),
                                 solutions=str(root / "source" / "solutions"), outputs=[str(results)],
                                 gradescope_root=str(root))
            if attack.meta.get("LAYOUT"):
                layouts.append((attack, config))
            else:
                built = self.build(attack, staging / attack.name, config)
                shutil.copyfile(built / f"{attack.module}.py", sub / f"{attack.module}.py")
        for attack, config in layouts:
            if attack.meta["LAYOUT"] in WHOLE_LAYOUTS:
                self.build(attack, sub, config)
            else:  # the layout replaces the honest file of the attacked exercise
                (sub / f"{attack.module}.py").write_text(base_source(attack.module, attack.base))
                self.build(attack, sub, config, write_base=False)
        started = time.monotonic()
        error, texts = "", []
        script = f"{root / 'source' / 'run_autograder'}; exit $?"
        try:
            run = subprocess.run(["bash", "-c", script, f"atk-{self.id}"], env=self.env(
                GRADESCOPE_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable), capture_output=True, text=True,
                timeout=200, start_new_session=True)
            texts = [run.stdout[-200_000:], run.stderr[-200_000:]]
            if run.returncode != 0:
                error = f"run_autograder exited with {run.returncode}: {run.stderr[-1500:]}"
        except subprocess.TimeoutExpired:
            error = "run_autograder did not finish within 200 s"
        seconds = time.monotonic() - started
        content = results.read_text(errors="replace") if results.is_file() else ""
        data = None
        try:
            data = json.loads(content) if content else None
        except ValueError:
            error = error or "results.json is not JSON"
        numbers = {str(i): e for i, e in enumerate(EXERCISES, start=1)}
        for attack in attacks:
            out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group=f"gs-{index}")
            out.seconds = seconds
            out.error = error
            out.texts = list(texts) + [content, md_plain(content)]
            out.outputs[str(results)] = content
            if data is None:
                out.error = out.error or "no results.json"
            else:
                tests = [dict(t, exercise=numbers.get(str(t.get("number", "0")).split(".")[0], "?"),
                              function="?", message=md_plain(str(t.get("output", ""))))
                         for t in data.get("tests", [])]
                out.scores = scores_from_tests(tests)
                out.notes = md_plain(str(data.get("output", ""))).splitlines()
                self._statuses(out, tests)
                if not tests:
                    out.error = out.error or f"results.json holds no test: {data.get('output', '')[:300]}"
            out.isolation = next((line.split(":", 1)[1].strip().split()[0] for line in texts[0].splitlines()
                                  if line.startswith("sandbox level:")), "") if texts else ""
            self.outcomes[(attack.name, mode)] = out

    # -- nbgrader mode ------------------------------------------------------------
    def run_nbgrader(self, attacks: list[Attack], before_grading=lambda: None):
        """One course, one ``generate_assignment``, one ``autograde`` for every attack (see the module docstring).

        ``before_grading`` is called (and waited for) after the course is ready, before any submitted code runs.
        """
        from attack_notebooks import (ASSIGNMENT, BIN, cell_outputs, disagreements, failed_students, gradebook_scores,
                                      graded_source, levels, nbgrader, write_notebook)
        from autograder.build.notebooks import build_course, cell_check

        mode = "nbgrader"
        course = build_course(self.workdir / "nbgrader-course")
        self.nb_course = course
        env = self.env(PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}")
        started = time.monotonic()
        rc, _, stderr = nbgrader(course, ["generate_assignment", ASSIGNMENT, "--force"], env, self.id, 300)
        self.timings["nbgrader-generate"] = time.monotonic() - started
        if rc != 0:
            raise RuntimeError(f"`nbgrader generate_assignment` exited with {rc}: {stderr[-2000:]}")
        release = course / "release" / ASSIGNMENT
        submitted = course / "submitted"
        classmates = [submitted / name / ASSIGNMENT for name in HONEST]
        for name in HONEST:
            for module in EXERCISES:
                write_notebook(release / f"{module}.ipynb", base_source(module, "solutions"),
                               submitted / name / ASSIGNMENT / f"{module}.ipynb",
                               comment=f"\n# classmate-token-{self.id}-{name}")
        unused: list[str] = []
        for attack in attacks:
            student = f"m_{attack.name}"
            modules = [attack.module]  # the others would cost time and prove nothing more (see the docstring)
            autograded = course / "autograded" / student / ASSIGNMENT
            config = self.config(attack, mode, classmates=[str(c) for c in classmates],
                                 outputs=[str(autograded / f"{m}.ipynb") for m in modules],
                                 course=str(course), student=student)
            base = base_source(attack.module, attack.base)
            replaced, extra = attack_pieces(base, attack.source)
            prelude = f"_ATTACK = {json.dumps(config)!s}\n" + COMMON.read_text()
            notebook = write_notebook(release / f"{attack.module}.ipynb", splice_attack(base, attack.source),
                                      submitted / student / ASSIGNMENT / f"{attack.module}.ipynb", prelude=prelude,
                                      tail="\n\n".join(extra))
            graded = graded_source(notebook)  # the rule says it all survives; if not, the case proves nothing
            lost = [piece.strip().splitlines()[0] for piece in [*replaced.values(), *extra]
                    if piece.strip() not in graded]
            if lost:
                unused.append(f"{attack.name}: the notebook channel would not grade {lost}")
            self.nb_students[attack.name] = (student, modules)
        self.nb_hashes = {name: tree_hash(course / name) for name in ("source", "release")}
        for name, folder in zip(HONEST, classmates):
            self.classmate_hashes[f"nbgrader/{name}"] = (folder, tree_hash(folder))

        before_grading()
        started = time.monotonic()
        rc, stdout, stderr = nbgrader(course, ["autograde", ASSIGNMENT, "--force"], env, self.id, 900)
        seconds = self.timings["nbgrader-autograde"] = time.monotonic() - started
        log = stdout + "\n" + stderr
        texts = [stdout[-200_000:], stderr[-200_000:]]
        failed = failed_students(log)
        level_of = levels(log)
        self.nb_error = "" if rc == 0 else f"`nbgrader autograde` exited with {rc}" if rc is not None \
            else "`nbgrader autograde` did not finish within 900 s"
        everyone = [*HONEST, *(student for student, _ in self.nb_students.values())]
        try:
            self.nb_scores = gradebook_scores(course, everyone)
        except Exception as exc:  # noqa: BLE001 - an unreadable gradebook is a finding for every student
            self.nb_error = self.nb_error or f"the gradebook could not be read: {type(exc).__name__}: {exc}"
            self.nb_scores = {student: None for student in everyone}
        self.honest[mode] = {name: self._nb_scores(self.nb_scores.get(name)) for name in HONEST}
        self.nb_honest_disagree = [d for name in HONEST
                                   for d in disagreements(course, name, self.nb_scores.get(name), list(EXERCISES))]
        function_of = {(item.exercise, item.test_id): item.function for item in COURSE.checks}
        for attack in attacks:
            student, modules = self.nb_students[attack.name]
            out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group="nbgrader", rc=rc)
            out.seconds = seconds
            out.texts = list(texts)
            for module in modules:
                path = course / "autograded" / student / ASSIGNMENT / f"{module}.ipynb"
                if path.is_file():
                    out.outputs[str(path)] = path.read_text(errors="replace")
                    outputs = cell_outputs(path)
                    out.texts.append(json.dumps(outputs))
                    out.messages += [o["evalue"] or o["text"] for o in outputs]
                    out.public_messages += [o["evalue"] or o["text"] for o in outputs
                                            if not o["grade_id"].partition("-")[2].startswith("hidden_")]
            mine = self.nb_scores.get(student)
            if student in failed:
                out.error = f"nbgrader could not autograde {student}: " + "\n".join(
                    line for line in log.splitlines() if student in line or "GradingUnavailable" in line)[-1500:]
            elif mine is None:
                out.error = self.nb_error or f"no submission of {student} in the gradebook"
            elif self.nb_error and not failed:
                out.error = f"{self.nb_error}: {stderr[-1500:]}"
            if mine is not None:
                out.scores = {e: mine["notebooks"].get(e, 0.0) for e in EXERCISES}
                for grade_id, (score, max_score) in mine["grades"].items():
                    exercise, _, test = grade_id.partition("-")
                    test = cell_check(exercise, test)  # (a hidden check's cell names its function only)
                    status = "passed" if score >= max_score - 1e-9 else "failed"
                    out.statuses.setdefault((exercise, function_of.get((exercise, test), "?")), []).append(
                        (status, score))
            if student not in failed:
                out.findings += disagreements(course, student, mine, modules)
            out.findings += [u for u in unused if u.startswith(f"{attack.name}: ")]
            out.isolation = level_of.get(student, "")
            self.outcomes[(attack.name, mode)] = out

    @staticmethod
    def _nb_scores(found):
        return None if found is None else {e: found["notebooks"].get(e, 0.0) for e in EXERCISES}

    def inspect_course(self, markers: list[str]):
        """After autograde: files the attacks wrote in the course, its source/ and release/, the secret, the gradebook.

        A marker may appear only in its own student's submitted and autograded notebooks (the
        learner's source); anywhere else in the course it is a write from outside the sandbox.
        """
        from attack_notebooks import course_files, gradebook_scores

        course = self.nb_course
        wanted = set(markers)
        owner = {marker_for(self.id, name, "nbgrader"): student for name, (student, _) in self.nb_students.items()}
        secret = self.secret.encode()
        student_of = {student: name for name, (student, _) in self.nb_students.items()}
        for path in course_files(course):
            rel = path.relative_to(course)
            for m in wanted:
                if m in str(rel):
                    self.leftover_files.setdefault(m, []).append(str(path))
            try:
                data = path.read_bytes()[:50_000_000]
            except OSError:
                continue
            own_folder = rel.parts[1] if len(rel.parts) > 2 and rel.parts[0] in ("submitted", "autograded") else ""
            for m in {found.decode() for found in re.findall(rb"atk[0-9a-f]{12}", data)} & wanted:
                if owner.get(m) != own_folder:
                    self.tampered.setdefault(m, []).append(str(path))
            if secret in data:
                self.nb_secret_files.append(str(rel))
                out = self.outcomes.get((student_of.get(own_folder, ""), "nbgrader"))
                if out is not None:
                    out.findings.append(f"the secret is in {rel}")
        for folder, before in self.nb_hashes.items():
            if tree_hash(course / folder) != before:
                self.nb_course_changed.append(f"{folder}/ changed")
        expected = {"nbgrader_config.py", "gradebook.db", "source", "release", "submitted", "autograded"}
        extra = sorted({p.name for p in course.iterdir()} - expected)
        if extra:
            self.nb_course_changed.append(f"new in the course folder: {extra}")
        students = set(HONEST) | set(student_of)
        for folder in ("submitted", "autograded"):
            if (course / folder).is_dir():
                strangers = sorted({p.name for p in (course / folder).iterdir()} - students)
                if strangers:
                    self.nb_course_changed.append(f"new in {folder}/: {strangers}")
        try:
            now = gradebook_scores(course, list(self.nb_scores))
        except Exception as exc:  # noqa: BLE001
            now = {"<gradebook>": f"unreadable after settling: {type(exc).__name__}: {exc}"}
        self.nb_gradebook_changed = {student: (self.nb_scores.get(student), scores) for student, scores in now.items()
                                     if scores != self.nb_scores.get(student)}

    # -- after everything ---------------------------------------------------------
    def settle_and_inspect(self, seconds: float = 4.0):
        time.sleep(seconds)
        table = proc_table()
        for (name, mode), out in self.outcomes.items():
            procs = running_with(out.marker, table)
            if procs:
                self.leftover[out.marker] = [f"{p['pid']} uid={p['uid']} {p['comm']}: {p['cmd'][:150]}" for p in procs]
            for path, before in list(out.outputs.items()):
                try:
                    now = Path(path).read_text(errors="replace")
                except OSError:
                    now = "<gone>"
                if now != before:
                    out.outputs[path] = before
                    out.texts.append(now)
                    out.forged.append(path)
        self.orphans = [p for p in table if (p["uid"] == 65534 or p["uid"] >= 1_500_000_000) and p["ppid"] in (0, 1)]
        self.ipc_after, self.memory_after = sysv_objects(), meminfo()
        markers = [o.marker for o in self.outcomes.values()]
        self.leftover_files = marked_paths(markers, [self.workdir, ROOT] + user_site_dirs())
        self.tampered = marked_contents(markers, [ROOT / "solutions", ROOT / "autograder"] +
                                        [p / "source" for p in self.workdir.glob("gs-*/autograder")])
        site_now = sorted(p.name for p in SITE_PACKAGES.iterdir())
        self.site_added = sorted(set(site_now) - set(self.site_listing))
        self.net = list(self.listener.received)
        self.sentinel_alive = self.sentinel.poll() is None
        self.solutions_changed = [p.name for p in (ROOT / "solutions").glob("*.py")
                                  if (self.backup / "solutions" / p.name).read_bytes() != p.read_bytes()]
        for key, (folder, before) in self.classmate_hashes.items():
            self.classmate_changed[key] = tree_hash(folder) != before
        if self.nb_course is not None and self.nb_course.is_dir():
            self.inspect_course(markers)

    def close(self):
        restore(self.markers(), self.backup)
        self.listener.close()
        try:
            os.kill(self.sentinel.pid, signal.SIGKILL)
        except OSError:
            pass
        self.sentinel.wait()

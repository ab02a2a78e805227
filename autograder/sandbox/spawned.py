"""The sandbox where the zygote cannot run: a fresh interpreter per exercise file, started by spawn.

The zygote (``zygote.py``) forks every worker, and keeps each one in hand
through ``pidfd_open`` and ``/proc``. Windows has no ``fork``; macOS has no
``pidfd_open`` and no ``/proc`` (and forking a process that has loaded torch
is unsafe there). On such a machine :class:`forked.Sandbox` hands out a
:class:`SpawnSandbox`: the ``none`` level (see the README's threat model),
with every limit the platform offers, the same time limits (the grader's
own clock, as always), the same plain-data protocol and the same report.

Each exercise file's worker is a new ``python -I -X utf8 spawned_worker.py``
process that has loaded NumPy (and torch) before the submission needs it:
one such warm process per flavour waits from the start, and once an
exercise file is graded a second time in this process (a watch loop, a
notebook's self-checks, a batch) a new one is started whenever one is taken.
The worker connects back to the grader on the loopback interface and proves
itself with a token read from its standard input. Limits: ``resource``
limits where the platform has them (``spawned_worker.apply_limits``), and on
Windows a Job Object per worker (``winjob``: memory, CPU time, processes;
closing it kills every process inside). Killing a worker kills its process
group (POSIX) or its Job Object (Windows).

``AUTOGRADER_SPAWN=1`` makes the kit use this sandbox on Linux too (the kit's
tests, which also run it with ``fork`` removed and ``/proc`` hidden).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import codec, winjob
from .levels import sandbox_env
from .limits import Limits
from .processes import CLOSE_SECONDS, WorkerHandle

WORKER = Path(__file__).with_name("spawned_worker.py")
SPAWN_ENV = "AUTOGRADER_SPAWN"
START_SECONDS = 120.0  # how long a new worker may take to load NumPy and torch (a slow laptop, a cold disk)
HELLO_SECONDS = 5.0  # how long a connection to the worker's port may take to say who it is
WINDOWS = sys.platform == "win32"
# What a worker gets of the grader's environment on Windows besides sandbox_env(): what Python, NumPy and
# torch need to start there (Winsock needs SYSTEMROOT; a conda environment's DLLs are found through PATH).
WINDOWS_ENV = (
    "SYSTEMROOT",
    "WINDIR",
    "PATH",
    "PATHEXT",
    "COMSPEC",
    "NUMBER_OF_PROCESSORS",
    "PROCESSOR_ARCHITECTURE",
    "PROCESSOR_IDENTIFIER",
    "OS",
)


def why_spawn() -> str:
    """Why this machine needs spawned workers ("" where the zygote can run)."""
    if os.environ.get(SPAWN_ENV, "").strip() == "1":
        return f"{SPAWN_ENV}=1"
    if not hasattr(os, "fork"):
        return "this system has no fork()"
    if not hasattr(os, "pidfd_open"):
        return "this system has no pidfd_open()"
    if not os.path.exists("/proc/self/stat"):
        return "this system shows no /proc"
    return ""


def worker_env(tmp: str) -> dict:
    """The worker's whole environment: ``levels.sandbox_env()`` with its own temporary folder."""
    env = sandbox_env()
    env.update(HOME=tmp, TMPDIR=tmp, TEMP=tmp, TMP=tmp, TORCHINDUCTOR_CACHE_DIR=tmp)
    if WINDOWS:
        env.update({key: os.environ[key] for key in WINDOWS_ENV if key in os.environ})
        env["USERPROFILE"] = tmp
    return env


class _Process:
    """One spawned interpreter: started now, loading its libraries; handed to a submission by :meth:`connect`."""

    def __init__(self, flavour: str, preload: tuple[str, ...]):
        self.flavour = flavour
        self.tmp = tempfile.mkdtemp(prefix="autograder-worker-")
        self.stderr = tempfile.TemporaryFile()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.token = secrets.token_hex(16)
        self.job = None
        self.sock: socket.socket | None = None
        options: dict = {"start_new_session": True}
        if WINDOWS:  # no console (no Ctrl-C from the learner's terminal), a group of its own
            flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined]
            options = {"creationflags": flags}  # (the type checker reads this module as Linux's, which lacks them)
        self.popen = subprocess.Popen(
            [sys.executable, "-I", "-X", "utf8", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            env=worker_env(self.tmp),
            cwd=self.tmp,
            **options,
        )
        if WINDOWS:
            self.job = winjob.contain(self.popen)  # from now on it dies with the grader
        setup = json.dumps({"flavour": flavour, "preload": list(preload)})
        port = self.listener.getsockname()[1]
        try:
            if self.popen.stdin is not None:  # (a pipe: stdin=PIPE above)
                self.popen.stdin.write(f"{port} {self.token} {setup}\n".encode())
                self.popen.stdin.close()
        except OSError:
            pass  # it died already: connect() says so, with its error output

    @property
    def pid(self) -> int:
        return self.popen.pid

    def connect(self) -> socket.socket:
        """Wait until the worker has loaded its libraries and connected; its socket (a RuntimeError if it died)."""
        deadline = time.monotonic() + START_SECONDS
        try:
            while self.sock is None:
                if self.popen.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"a grading worker did not start: {self.error_output()}")
                self.listener.settimeout(0.2)
                try:
                    sock, _ = self.listener.accept()
                except TimeoutError:
                    continue
                try:
                    hello = codec.receive(sock, deadline=time.monotonic() + HELLO_SECONDS)
                    if hello.get("token") != self.token:
                        raise codec.ProtocolError("not our worker")
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    if not codec.receive(sock, deadline=deadline).get("ready"):
                        raise codec.ProtocolError("the worker is not ready")
                except (OSError, EOFError, codec.ProtocolError):  # someone else, or a worker that died: go on
                    sock.close()
                    continue
                self.sock = sock
        finally:
            self.listener.close()
        return self.sock

    def error_output(self) -> str:
        try:
            self.stderr.seek(0)
            return self.stderr.read().decode("utf-8", errors="replace")[-2000:] or f"exit code {self.popen.poll()}"
        except (OSError, ValueError):
            return ""

    def kill(self) -> None:
        """Kill the worker and everything it started (its Job Object; its process group), and remove its folder."""
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.listener.close()
        if self.job is not None:
            winjob.close(self.job)
            self.job = None
        elif not WINDOWS:
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.popen.kill()
        except OSError:
            pass
        try:
            self.popen.wait(timeout=CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        try:
            self.stderr.close()
        except OSError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


class SpawnSandbox:
    """The ``none`` level with spawned workers: what :class:`forked.Sandbox` gives where :func:`why_spawn` says so.

    The same interface as ``forked.Sandbox`` for ``session.Session`` (``open_submission``, ``level_now``,
    ``reap``, ``close``).
    """

    FLAVOURS = ("torch", "numpy")

    def __init__(
        self,
        flavours: tuple[str, ...] = FLAVOURS,
        reason: str = "",
        *,
        once: bool = False,
        trusted: tuple = (),
        preload: tuple[str, ...] = (),
    ):
        self.flavours = flavours
        self.level = "none"
        self.refusal = reason or why_spawn()
        self._lock = threading.Lock()
        self._warm: dict[str, list[_Process]] = {flavour: [] for flavour in flavours}
        self._opened: set[str] = set()  # the exercise files opened so far
        self._keep_warm = False  # set once a file is graded a second time (watch, notebook, batch)
        self._closed = False
        self._preload = tuple(preload)  # (``trusted``: nothing is mounted at the `none` level)
        for flavour in flavours:
            self._warm[flavour].append(self._start(flavour))

    def _start(self, flavour: str) -> _Process:
        return _Process(flavour, self._preload if flavour == "torch" else ())

    def level_now(self) -> str:
        return self.level

    def take(self, flavour: str) -> _Process:
        """A worker of ``flavour``, connected and ready (a warm one if there is one)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox is closed")
            waiting = self._warm.setdefault(flavour, [])
            process = waiting.pop(0) if waiting else self._start(flavour)
            if self._keep_warm and not waiting:
                waiting.append(self._start(flavour))
        try:
            process.connect()
        except RuntimeError:
            process.kill()
            raise
        return process

    def open_submission(
        self,
        flavour: str,
        files: dict,
        folder: Path | None,
        limits: Limits,
        support: tuple[str, str] | None = None,
        preload: tuple[str, ...] = (),
    ) -> SpawnInit:
        if folder is None:
            raise RuntimeError("spawned workers read the submission from its staged folder")
        with self._lock:
            for name in files:
                if name in self._opened:
                    self._keep_warm = True
                self._opened.add(name)
        message = {
            "op": "open",
            "limits": limits.for_worker(self.level),
            "preload": list(preload),
            "support": {"path": support[0], "source": support[1]} if support else None,
            "folder": os.fsencode(str(folder)).hex(),
        }
        return SpawnInit(self, flavour, message)

    def reap(self, uid: int) -> None:
        """(Only the `uid` level has a uid of its own to clear.)"""

    def close(self) -> None:
        with self._lock:
            self._closed = True
            waiting = [process for processes in self._warm.values() for process in processes]
            self._warm = {}
        for process in waiting:
            process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SpawnInit:
    """One exercise file of a submission: what ``processes.InitHandle`` is for the zygote's workers."""

    level = "none"

    def __init__(self, sandbox: SpawnSandbox, flavour: str, message: dict):
        self.sandbox = sandbox
        self.flavour = flavour
        self.message = message
        self.processes: dict[int, _Process] = {}
        self._lock = threading.Lock()
        self._closed = False

    def spawn(self) -> WorkerHandle:
        process = self.sandbox.take(self.flavour)
        with self._lock:
            if self._closed:
                process.kill()
                raise EOFError("the submission has ended")
            self.processes[process.pid] = process
        sock = process.sock
        if sock is None:  # (never: take() hands out connected workers)
            self.kill_worker(process.pid)
            raise EOFError("the worker is not connected")
        try:
            if process.job is not None:
                winjob.limit(process.job, process.popen, self.message["limits"])
            codec.send(sock, self.message)
        except OSError:
            self.kill_worker(process.pid)
            raise
        return WorkerHandle(sock, process.pid, self)

    def kill_worker(self, pid: int) -> None:
        with self._lock:
            process = self.processes.pop(pid, None)
        if process is not None:
            process.kill()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            processes, self.processes = list(self.processes.values()), {}
        for process in processes:
            process.kill()

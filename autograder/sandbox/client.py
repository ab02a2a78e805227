"""The grader's side of the sandbox: start the zygote, spawn workers, call student code.

Everything a learner's code does comes back as a value or as a
:class:`StudentError`; nothing it does can raise anything else here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import codec

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


# ----------------------------------------------------------------- zygote


class Sandbox:
    """One zygote process; forks a worker per exercise module of a submission."""

    def __init__(self):
        self._process = None
        self._control = None
        self._ready = False
        self._stderr = None
        self.start()

    def start(self):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-I", str(ZYGOTE), str(child.fileno())],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._stderr, env=env, cwd=tempfile.gettempdir(), start_new_session=True,
        )
        child.close()
        self._control = parent
        self._ready = False

    def _wait_ready(self):
        if self._ready:
            return
        try:
            message = codec.receive(self._control, deadline=time.monotonic() + 120)
        except (EOFError, OSError, codec.ProtocolError) as exc:
            self._stderr.seek(0)
            output = self._stderr.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"the grading sandbox did not start: {exc}\n{output}") from exc
        if not message.get("ready"):
            raise RuntimeError("the grading sandbox sent an unexpected greeting")
        self._ready = True

    def spawn(self, folder: Path, limits: dict) -> "WorkerHandle":
        for attempt in range(2):
            try:
                self._wait_ready()
                codec.send(self._control, {"op": "spawn", "folder": str(folder), **limits})
                _, fds, _, _ = socket.recv_fds(self._control, 1, 1)
                if not fds:
                    raise EOFError("no socket from the sandbox")
                answer = codec.receive(self._control, deadline=time.monotonic() + 30)
                return WorkerHandle(socket.socket(fileno=fds[0]), int(answer["pid"]))
            except (EOFError, OSError, codec.ProtocolError, KeyError, ValueError):
                if attempt:
                    raise
                self.close()  # the zygote itself died (killed from outside): start a new one
                self.start()
        raise AssertionError("unreachable")

    def close(self):
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            try:
                self._process.kill()
            except OSError:
                pass
            self._process.wait()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class WorkerHandle:
    sock: socket.socket
    pid: int

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.sock.close()
        except OSError:
            pass


# ----------------------------------------------------------------- a submission


@dataclass
class Limits:
    call_seconds: float = 10.0
    import_seconds: float = 10.0
    max_memory_bytes: int = 2 * 2**30
    max_file_bytes: int = 64 * 2**20
    uid: int | None = None
    gid: int | None = None

    def for_worker(self) -> dict:
        out = {"max_memory_bytes": self.max_memory_bytes, "max_file_bytes": self.max_file_bytes}
        if self.uid is not None:
            out.update(uid=self.uid, gid=self.gid if self.gid is not None else self.uid)
        return out


@dataclass
class CallResult:
    value: object
    args: list | None = None
    grads: object = None


@dataclass
class Session:
    """The learner's modules of one submission, each in its own worker process."""

    sandbox: Sandbox
    folder: Path
    present: set
    limits: Limits = field(default_factory=Limits)
    _workers: dict = field(default_factory=dict)
    _import_errors: dict = field(default_factory=dict)
    _timed_out: dict = field(default_factory=dict)
    seed_salt: int = 0  # 0 for grading; calibration varies it to show tolerances hold for any seed
    _seed_base: int = 0
    _counter: int = 0
    events: list = field(default_factory=list)

    def begin_check(self, name: str):
        """Make seeds depend only on the check's name, so every run is the same."""
        salted = name if not self.seed_salt else f"{self.seed_salt}:{name}"
        self._seed_base = zlib.crc32(salted.encode())
        self._counter = 0

    def _next_seed(self) -> int:
        self._counter += 1
        return (self._seed_base + 7919 * self._counter) % (2**31)

    def _worker(self, module: str) -> WorkerHandle:
        if module not in self.present:
            raise MissingFile(module, None)
        if module in self._import_errors:
            raise self._import_errors[module]
        worker = self._workers.get(module)
        if worker is not None:
            return worker
        worker = self.sandbox.spawn(self.folder, self.limits.for_worker())
        try:
            # a fixed seed, outside the check's sequence: a check's calls get the same seeds
            # whether or not its worker had to be started (or restarted) first
            self._exchange(worker, module, None, {"op": "import", "module": module, "seed": 0},
                           self.limits.import_seconds)
        except StudentError as exc:
            error = ImportFailed(module, None, {"cause": exc})
            self._import_errors[module] = error
            raise error from None
        self._workers[module] = worker
        return worker

    def _exchange(self, worker, module, function, request, seconds):
        if "seed" not in request:
            request["seed"] = self._next_seed()
        try:
            codec.send(worker.sock, request)
            answer = codec.receive(worker.sock, deadline=time.monotonic() + seconds)
        except TimeoutError:
            self._discard(module, worker)
            raise StudentTimeout(module, function, {"seconds": seconds}) from None
        except (EOFError, OSError):
            self._discard(module, worker)
            raise StudentCrash(module, function) from None
        except codec.ProtocolError as exc:
            self._discard(module, worker)
            raise Unreadable(module, function, {"message": str(exc)}) from None
        if not answer.get("ok"):
            detail = answer.get("error") if isinstance(answer.get("error"), dict) else {}
            raise _error_from_detail(module, function, detail)
        return answer

    def _discard(self, module, worker):
        worker.kill()
        if self._workers.get(module) is worker:
            del self._workers[module]

    def call(self, module: str, function: str, *args, timeout: float | None = None,
             return_args: bool = False, backward=None, **kwargs) -> CallResult:
        """Call ``module.function(*args, **kwargs)`` in the sandbox and bring the result back."""
        key = (module, function)
        if key in self._timed_out:
            raise StudentTimeout(module, function, {"seconds": self._timed_out[key], "repeat": True})
        worker = self._worker(module)
        request = {"op": "call", "module": module, "function": function,
                   "args": [codec.encode(a) for a in args],
                   "kwargs": {k: codec.encode(v) for k, v in kwargs.items()},
                   "return_args": return_args}
        if backward is not None:
            request["backward"] = {"upstream": codec.encode(backward)}
        seconds = timeout or self.limits.call_seconds
        try:
            answer = self._exchange(worker, module, function, request, seconds)
        except StudentTimeout:
            self._timed_out[key] = seconds
            raise
        try:
            value = codec.decode(answer.get("result", {"t": "none"}))
            args_back = [codec.decode(a) for a in answer["args"]] if return_args else None
            grads = codec.decode(answer["grads"]) if backward is not None else None
        except (codec.ProtocolError, KeyError, TypeError) as exc:
            raise Unreadable(module, function, {"message": str(exc)}) from None
        return CallResult(value, args_back, grads)

    def probe(self, module: str, name: str, *args, function: str, timeout: float | None = None):
        """Run a trusted diagnostic from ``probes.py`` next to the learner's module."""
        worker = self._worker(module)
        request = {"op": "probe", "module": module, "name": name, "args": [codec.encode(a) for a in args]}
        answer = self._exchange(worker, module, function, request, timeout or self.limits.call_seconds)
        try:
            return codec.decode(answer.get("result", {"t": "none"}))
        except codec.ProtocolError as exc:
            raise Unreadable(module, function, {"message": str(exc)}) from None

    def close(self):
        for worker in self._workers.values():
            worker.kill()
        self._workers.clear()

"""The grader's handles on the sandbox's processes: a zygote, a submission's init, a worker.

:class:`Zygote` starts ``zygote.py`` (one per flavour), sends it the isolation it is to enter and asks it to
open submissions; :class:`InitHandle` is one exercise file's init (PID 1 of its namespace at the
``namespaces`` level), which forks workers and freezes or thaws them; :class:`WorkerHandle` is one worker,
spoken to directly over its socket (see ``session``). Closing a handle kills its process, and with it what
that process started.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from . import codec
from .levels import jail_setup, sandbox_env

ZYGOTE = Path(__file__).with_name("zygote.py")
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
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None  # None once we hung up
        self._ready = False
        self._stderr: IO[bytes] | None = None
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
        setup = jail_setup(self.flavour, self.trusted) if self.level == "namespaces" else {"level": self.level}
        setup["flavour"] = self.flavour
        setup["huge_pages"] = self.huge_pages
        if self.flavour == "torch":
            setup["preload"] = list(self.preload)
        codec.send(parent, setup)

    def _live(self) -> socket.socket:
        """The control socket (an EOFError once we hung up: for us the zygote is gone)."""
        if self._control is None:
            raise EOFError("the sandbox was closed")
        return self._control

    def _error_output(self) -> str:
        """The end of what the zygote wrote to its standard error."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-2000:]

    def wait_ready(self) -> str:
        """Wait for the greeting; return the level granted ("" when namespaces were refused)."""
        if self._ready:
            return self.level
        try:
            message = codec.receive(self._live(), deadline=time.monotonic() + 120)
        except (EOFError, OSError, codec.ProtocolError) as exc:
            raise RuntimeError(f"the grading sandbox did not start: {exc}\n{self._error_output()}") from exc
        if not message.get("ready"):
            self.refusal = str(message.get("error", ""))[:500]
            return ""
        self._ready = True
        return self.level

    def request(self, message: dict, with_fd: bool = False):
        control = self._live()
        control.settimeout(30)
        codec.send(control, message)
        fd = None
        if with_fd:
            _, fds, _, _ = socket.recv_fds(control, 1, 1)
            if not fds:
                raise EOFError("no socket from the sandbox")
            fd = fds[0]
        answer = codec.receive(control, deadline=time.monotonic() + 30)
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


class Spawner(Protocol):
    """What started a worker and can kill it: an :class:`InitHandle`, or a ``spawned.SpawnInit``."""

    def kill_worker(self, pid: int) -> None: ...


@dataclass
class WorkerHandle:
    sock: socket.socket
    pid: int  # as the init sees it
    init: Spawner | None = None

    def kill(self):
        if self.init is not None:
            self.init.kill_worker(self.pid)
        try:
            self.sock.close()
        except OSError:
            pass

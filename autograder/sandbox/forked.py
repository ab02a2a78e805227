"""The sandbox where the zygote runs (Linux): :class:`Sandbox`, its zygotes and the level they achieved.

One zygote per flavour (torch, and NumPy-only), started at the strongest level asked for (``levels``); the
first greeting decides, and a refused level restarts them one level down. It opens each exercise file of a
submission in the zygote of its flavour and hands back the init's handle (``processes``). Where the zygote
cannot run, constructing a :class:`Sandbox` gives a ``spawned.SpawnSandbox`` instead (the same interface).
"""

from __future__ import annotations

import base64
import socket
import threading
from pathlib import Path

from . import codec, spawned
from .levels import requested_level, weaker
from .limits import Limits
from .processes import InitHandle, Zygote

_ACHIEVED: dict[str, str] = {}  # level the kernel granted, per requested level, for this process


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
        self._course: dict[str, tuple] = {"trusted": tuple(trusted), "preload": tuple(preload)}
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
            self.level = weaker(self.level)
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


def probe_level() -> tuple[str, str]:
    """(level, why a stronger one was refused): start a NumPy-only sandbox and see what it gets."""
    with Sandbox(flavours=("numpy",)) as sandbox:
        return sandbox.level_now(), sandbox.refusal

"""The grader's side of the sandbox, in one place: what the rest of the kit imports to run untrusted code.

A facade: every name is defined in the module of its concern and listed here, so that a caller needs one
import and the sandbox's inner layout can change without it.

- ``errors``: the :class:`StudentError` family (what a learner's code did instead of answering);
- ``output``: the worker's untrusted output, cleaned (:func:`printable`, :class:`Printed`, :func:`stopped_at`,
  :func:`warned_at`);
- ``levels``: isolation levels and the mount plan (:func:`requested_level`, :func:`sandbox_ids`);
- ``limits``: :class:`Limits`;
- ``forked``: :class:`Sandbox` (or, where fork is missing, ``spawned.SpawnSandbox``) and :func:`probe_level`;
- (``processes``, the handles on the zygote, an init and a worker, is not re-exported: ``forked``, ``session``
  and ``spawned`` use it);
- ``session``: :class:`Session`, one submission's calls (:class:`CallResult`).

Everything a learner's code does comes back as a value or as a :class:`StudentError`; nothing it does can
raise anything else here.
"""

from .errors import (
    ImportFailed,
    MissingFile,
    MissingFunction,
    NotImplementedYet,
    StudentCrash,
    StudentError,
    StudentException,
    StudentExit,
    StudentTimeout,
    Unreadable,
)
from .forked import Sandbox, probe_level
from .levels import LEVEL_ENV, requested_level, sandbox_ids
from .limits import Limits
from .output import Printed, printable, stopped_at, warned_at
from .session import CallResult, Session

__all__ = [
    "LEVEL_ENV",
    "CallResult",
    "ImportFailed",
    "Limits",
    "MissingFile",
    "MissingFunction",
    "NotImplementedYet",
    "Printed",
    "Sandbox",
    "Session",
    "StudentCrash",
    "StudentError",
    "StudentException",
    "StudentExit",
    "StudentTimeout",
    "Unreadable",
    "printable",
    "probe_level",
    "requested_level",
    "sandbox_ids",
    "stopped_at",
    "warned_at",
]

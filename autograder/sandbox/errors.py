"""The learner-error family: what a learner's code did instead of answering, as the grader raises it.

Everything a learner's code does comes back from the sandbox as a value or as a :class:`StudentError`
(its ``detail`` is plain data the worker sent, read by ``grading.explain``); nothing it does can raise
anything else on the grader's side.
"""

from __future__ import annotations


class StudentError(Exception):
    """Something the learner's code did (not a wrong answer: a failure to answer)."""

    status = "error"
    hint: str | None = None  # the catalogue key of its likely cause, when a check that met it knows one

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


def error_from_detail(module: str, function: str | None, detail: dict) -> StudentError:
    """The error a worker's answer ``{"ok": False, "error": detail}`` stands for (``detail["kind"]``)."""
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

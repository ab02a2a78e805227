"""The sandbox for grading this course: the sandbox itself knows no course, so grading tells it what to hide and
what to preload."""

from __future__ import annotations

import atexit

from autograder.course import registry
from autograder.sandbox.client import Sandbox

_SHARED: Sandbox | None = None


def course_sandbox(flavours: tuple[str, ...] = Sandbox.FLAVOURS, *, once: bool = False) -> Sandbox:
    """A :class:`Sandbox` that hides the reference solutions (wherever ``$AUTOGRADER_SOLUTIONS`` puts them) from
    every submission, and whose torch flavour preloads the library modules the exercises ask for (``PRELOAD``)."""
    return Sandbox(flavours, once=once, trusted=(registry.solutions_dir(),), preload=registry.all_preloads())


def shared_sandbox() -> Sandbox:
    """The course sandbox of this process (a notebook's kernel, nbgrader's), started on first use and closed at
    exit."""
    global _SHARED
    if _SHARED is None:
        _SHARED = course_sandbox()
        atexit.register(_SHARED.close)
    return _SHARED

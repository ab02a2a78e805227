"""Grading results as small dataclasses, their JSON form and the terminal report."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import registry
from .messages import text

STATUSES = ("passed", "failed", "error", "timeout")
VISIBILITIES = ("public", "hidden")


@dataclass
class CheckResult:
    name: str  # the check's title (its docstring's first line), unique
    exercise: str
    function: str
    score: float
    max_score: float
    status: str  # one of STATUSES
    visibility: str  # one of VISIBILITIES
    message: str = ""
    not_implemented: bool = False  # shown as TODO in the terminal; "failed" in JSON
    test_id: str = ""  # the check's function name, e.g. test_dloss_scalar
    cause: str = ""  # for a StudentError: its class name (MissingFile, StudentCrash, ...)
    line: int = 0  # where the graded function starts in the exercise file (to suggest what to do next)
    debug: str = ""  # a grader traceback (never shown to learners, kept for instructors)
    core: str = ""  # the message without its "where to look" line (to recognise one cause in several checks)
    where: str = ""  # the function to look at: the check's, or the one a syntax error is in

    def to_dict(self) -> dict:
        return {"name": self.name, "exercise": self.exercise, "function": self.function,
                "score": float(self.score), "max_score": float(self.max_score), "status": self.status,
                "visibility": self.visibility, "message": self.message}


@dataclass
class Report:
    tests: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the submission as a whole
    hidden_not_run: float = 0.0  # points of checks that run only after submission
    isolation: str = ""  # the sandbox level used: namespaces, uid or none (see the README)

    @property
    def score(self) -> float:
        return float(sum(t.score for t in self.tests))

    @property
    def max_score(self) -> float:
        return float(sum(t.max_score for t in self.tests))

    def to_dict(self) -> dict:
        return {"score": self.score, "max_score": self.max_score, "isolation": self.isolation,
                "tests": [t.to_dict() for t in self.tests]}

    def write_json(self, path: Path) -> None:
        write_atomic(Path(path), json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")

    def render(self, submission: str = "") -> str:
        label = {status: text(f"report.label_{status}") for status in STATUSES}
        todo_label, hidden_label = text("report.label_todo"), text("report.hidden_mark")
        lines = []
        if submission:
            lines.append(text("report.title", submission=submission))
        for note in self.notes:
            lines.append(f"  ! {note}")
        order = {name: i for i, name in enumerate(registry.names())}
        exercises = sorted({t.exercise for t in self.tests}, key=lambda e: order.get(e, 99))
        width = max((len(t.name) for t in self.tests), default=40)
        for exercise in exercises:
            tests = [t for t in self.tests if t.exercise == exercise]
            got, out_of = sum(t.score for t in tests), sum(t.max_score for t in tests)
            lines.append("")
            lines.append(f"{exercise}".ljust(width + 16) + f"{_pts(got)} / {_pts(out_of)}")
            for t in tests:
                status = todo_label if t.not_implemented else label[t.status]
                hidden = f"  {hidden_label}" if t.visibility == "hidden" else ""
                lines.append(f"  {status:<8}{_pts(t.score):>4}/{_pts(t.max_score):<4} {t.name}{hidden}")
        problems = [t for t in self.tests if t.status != "passed" and not t.not_implemented]
        todo = [t for t in self.tests if t.not_implemented]
        if problems:
            lines.append("")
            lines.append(text("report.problems"))
            for t in problems:
                lines.append("")
                lines.append(f"[{label[t.status]}] {t.name}")
                lines.extend("    " + line for line in t.message.splitlines())
        failing = [t for t in problems if not t.not_implemented]
        if failing:
            first = min(failing, key=lambda t: (order.get(t.exercise, 99), t.line))
            lines.append("")
            lines.append(text("report.first_failure", function=first.where or first.function, module=first.exercise))
        if todo:
            first = min(todo, key=lambda t: (order.get(t.exercise, 99), t.line))
            count = len({(t.exercise, t.function) for t in todo})
            lines.append("")
            lines.append(text("report.todo", count=count, function=first.function, module=first.exercise))
        lines.append("")
        lines.append(text("report.total", score=_pts(self.score), max_score=_pts(self.max_score)))
        if self.hidden_not_run:
            lines.append(text("report.hidden_pending", points=_pts(self.hidden_not_run)))
        if self.isolation:
            lines.append(text("report.isolation", level=self.isolation, meaning=text(f"isolation.{self.isolation}")))
        return "\n".join(lines)


def write_atomic(path: Path, content: str) -> None:
    """Write ``content`` to a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False, newline="")
    try:
        with handle:
            handle.write(content)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _pts(value: float) -> str:
    return f"{value:g}"

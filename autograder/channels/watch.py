"""``python -m autograder watch [PATH]`` (``make watch``): regrade every time an exercise file is saved.

The sandbox stays warm for the whole session. When a file changes, the
checks of that exercise run first (its public checks, then its hidden ones
where the kit has them), and the other exercises keep their last results:
grading is deterministic, so an unchanged file would score the same again.
Each report starts on a clean screen with what changed since the last one
(newly passing, newly failing). Ctrl-C ends it, closing the sandbox, so no
process is left behind.

Files are polled (size, modification time, then content) a few times a
second: four small files need no file-system notification library, and
polling works the same on every system and in containers.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import registry
from autograder.grading.blame import settle
from autograder.grading.results import CheckResult, Report
from autograder.grading.runner import grade, hidden_points
from autograder.grading.sandboxes import course_sandbox
from autograder.messages import text

CLEAR = "\033[2J\033[H"
POLL_SECONDS = 0.25


@dataclass
class Change:
    """What a regrade changed: check titles that now pass, and those that no longer do."""

    passing: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [text("watch.now_passing", title=title) for title in self.passing]
        out += [text("watch.now_failing", title=title) for title in self.failing]
        return out or [text("watch.no_change")]


def fingerprint(folder: Path) -> dict[str, str]:
    """Exercise module -> a digest of its file (missing files are absent)."""
    prints = {}
    for name in registry.names():
        path = folder / f"{name}.py"
        try:
            prints[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
    return prints


def compare(before: list[CheckResult], after: list[CheckResult]) -> Change:
    old = {t.test_id: t.status == "passed" for t in before}
    change = Change()
    for t in after:
        if t.test_id in old and old[t.test_id] != (t.status == "passed"):
            (change.passing if t.status == "passed" else change.failing).append(t.name)
    return change


class Watcher:
    """Grades ``folder`` once, then again, exercise by exercise, whenever one of its files changes."""

    def __init__(self, folder: Path, *, sandbox, limits, include_hidden: bool | None = None):
        self.folder = folder
        self.sandbox = sandbox
        self.limits = limits
        self.course = registry.course(include_hidden)
        self.results: dict[str, list[CheckResult]] = {}  # exercise -> its latest results
        self.notes: list[str] = []
        self.isolation = ""
        self.prints: dict[str, str] = {}

    def _grade(self, checks: set[str]) -> Report:
        return grade(
            self.folder,
            sandbox=self.sandbox,
            limits=self.limits,
            include_hidden=self.course.hidden_included,
            only=checks,
        )

    def report(self) -> Report:
        order = {name: index for index, name in enumerate(self.course.names)}
        tests = [t for name in sorted(self.results, key=order.__getitem__) for t in self.results[name]]
        sources = {}
        for name in self.results:
            try:
                sources[name] = (self.folder / f"{name}.py").read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
        settle(tests, sources)  # one message per cause, over the merged results
        report = Report(tests, list(self.notes), isolation=self.isolation)
        if not self.course.hidden_included:
            report.hidden_not_run = hidden_points()
        return report

    def grade_all(self) -> Report:
        self.prints = fingerprint(self.folder)
        report = self._grade({c.test_id for c in self.course.checks})
        self.notes, self.isolation = list(report.notes), report.isolation
        for exercise in self.course.exercises:
            self.results[exercise.name] = [t for t in report.tests if t.exercise == exercise.name]
        return self.report()

    def changed(self) -> list[str]:
        """Exercises whose file changed since the last grading (in course order)."""
        now = fingerprint(self.folder)
        changed = [name for name in self.course.names if now.get(name) != self.prints.get(name)]
        self.prints = now
        return changed

    def regrade(self, exercise: str, visibility: str | None = None) -> Change:
        """Regrade one exercise's checks (only those of ``visibility``, if given); returns what changed."""
        checks = [c for c in self.course.exercise(exercise).checks if visibility in (None, c.visibility)]
        if not checks:
            return Change()
        report = self._grade({c.test_id for c in checks})
        self.notes, self.isolation = list(report.notes), report.isolation
        ids = {c.test_id for c in checks}
        before = [t for t in self.results.get(exercise, []) if t.test_id in ids]
        kept = [t for t in self.results.get(exercise, []) if t.test_id not in ids]
        order = {c.test_id: index for index, c in enumerate(self.course.exercise(exercise).checks)}
        self.results[exercise] = sorted(kept + report.tests, key=lambda t: order.get(t.test_id, 0))
        return compare(before, report.tests)


def show(report: Report, folder: Path, change: Change | None, seconds: float, out=sys.stdout) -> None:
    lines = [CLEAR.rstrip("\n")]
    if change is not None:
        lines += [text("watch.since_last"), *("  " + line for line in change.lines()), ""]
    lines.append(report.render(str(folder)))
    lines.append(text("report.graded_in", seconds=f"{seconds:.1f}"))
    lines.append(text("watch.waiting", folder=folder))
    out.write("\n".join(lines) + "\n")
    out.flush()


def run(folder: Path, *, limits, include_hidden: bool | None = None, once: bool = False) -> int:
    """The loop of ``python -m autograder watch``; ``once`` stops after the first regrade (for tests)."""
    sandbox = course_sandbox()
    try:
        watcher = Watcher(folder, sandbox=sandbox, limits=limits, include_hidden=include_hidden)
        started = time.monotonic()
        show(watcher.grade_all(), folder, None, time.monotonic() - started)
        while True:
            time.sleep(POLL_SECONDS)
            changed = watcher.changed()
            if not changed:
                continue
            started = time.monotonic()
            change = Change()
            for exercise in changed:  # the changed file's public checks first: the quickest useful answer
                step = watcher.regrade(exercise, "public")
                change.passing += step.passing
                change.failing += step.failing
            show(watcher.report(), folder, change, time.monotonic() - started)
            if watcher.course.hidden_included:
                for exercise in changed:
                    step = watcher.regrade(exercise, "hidden")
                    change.passing += step.passing
                    change.failing += step.failing
                show(watcher.report(), folder, change, time.monotonic() - started)
            if once:
                return 0
    except KeyboardInterrupt:
        sys.stdout.write("\n" + text("watch.stopped") + "\n")
        return 0
    finally:
        sandbox.close()

"""Grading results as small dataclasses, their JSON form and the terminal report."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from autograder.checking.expect import display_width
from autograder.checking.figures import sparkline
from autograder.course import registry
from autograder.messages import label, text
from autograder.sandbox.client import printable

STATUSES = ("passed", "failed", "error", "timeout")
VISIBILITIES = ("public", "hidden")
# what keeps a whole exercise file from being checked (or every function that uses an import it lacks), each
# with its entry's title in the report (``report.file_problem.<kind>``)
FILE_PROBLEMS = ("missing_file", "encoding", "syntax", "import", "missing_import")


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
    figures: list = field(default_factory=list)  # plain data of the pictures this check recorded (figures.py)
    hint: str = ""  # the catalogue key of the likely cause given, if any (to count a class's classic mistakes)
    printed: object = None  # what the learner's code printed during a check that did not pass (client.Printed)
    uses: tuple = ()  # other functions of the learner's the check runs (registry.check's ``uses``; for blame)
    # a problem of the whole file rather than of the function (FILE_PROBLEMS): shown once, at the top of its exercise
    file_problem: str = ""
    pointer: bool = False  # its message only points to another check's (blame.settle): shown after the others
    same_as: str = ""  # what makes two errors one cause when their messages differ in numbers only (blame.settle)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "exercise": self.exercise,
            "function": self.function,
            "score": float(self.score),
            "max_score": float(self.max_score),
            "status": self.status,
            "visibility": self.visibility,
            "message": self.message,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        """A check as :meth:`to_dict` wrote it (a saved report read back: its other fields keep their defaults)."""
        return cls(
            name=data.get("name", ""),
            exercise=data.get("exercise", ""),
            function=data.get("function", ""),
            score=float(data.get("score", 0.0)),
            max_score=float(data.get("max_score", 0.0)),
            status=data.get("status", ""),
            visibility=data.get("visibility", ""),
            message=data.get("message", ""),
            hint=data.get("hint") or "",
        )


@dataclass
class Report:
    tests: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the submission as a whole
    # points of checks that run only after submission: {exercise: {function: points}} (runner.hidden_points), or a total
    hidden_not_run: float | dict[str, dict[str, float]] = 0.0
    isolation: str = ""  # the sandbox level used: namespaces, uid or none (see the README)
    read_problems: list[str] = field(default_factory=list)  # why files could not be read (submission.PROBLEMS' keys)

    @property
    def score(self) -> float:
        return float(sum(t.score for t in self.tests))

    @property
    def max_score(self) -> float:
        return float(sum(t.max_score for t in self.tests))

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "isolation": self.isolation,
            "tests": [t.to_dict() for t in self.tests],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """A report as :meth:`to_dict` wrote it; its score and maximum are again the sums of its checks'."""
        return cls(
            tests=[CheckResult.from_dict(t) for t in data.get("tests", []) if isinstance(t, dict)],
            isolation=data.get("isolation", ""),
        )

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
        rows = {
            id(t): _row(
                todo_label if t.not_implemented else label[t.status],
                t.score,
                t.max_score,
                t.name + (f"{NBSP * 2}{hidden_label}" if t.visibility == "hidden" else ""),
            )
            for t in self.tests
        }
        # the points of each exercise end where its longest row ends (a wrapped row ends before WIDTH)
        right = max((display_width(row) for wrapped in rows.values() for row in wrapped), default=60)
        for exercise in exercises:
            tests = [t for t in self.tests if t.exercise == exercise]
            got, out_of = sum(t.score for t in tests), sum(t.max_score for t in tests)
            lines.append("")
            points = f"{_pts(got)} / {_pts(out_of)}"
            lines.append(exercise + " " * max(1, right - display_width(exercise) - len(points)) + points)
            for t in tests:
                lines.extend(rows[id(t)])
            lines.extend(_sparklines(tests))
        problems = [t for t in self.tests if t.status != "passed" and not t.not_implemented]
        todo = [t for t in self.tests if t.not_implemented]
        if problems:
            lines.append("")
            lines.append(text("report.problems"))
            for entry in problem_entries(self.tests):
                lines.append("")
                lines.extend(
                    wrap(
                        f"[{label[entry.status]}] {entry.title}", indent=" " * (display_width(label[entry.status]) + 3)
                    )
                )
                lines.extend(_message_lines(entry.message))
                lines.extend(_printed_lines(entry.printed))
        failing = [t for t in problems if not t.not_implemented]
        if failing:
            first = min(failing, key=lambda t: (order.get(t.exercise, 99), not t.file_problem, t.line))
            lines.append("")
            if first.file_problem:
                lines.append(text("report.file.first_failure", module=first.exercise))
            else:
                lines.append(
                    text("report.first_failure", function=first.where or first.function, module=first.exercise)
                )
        if todo:
            first = min(todo, key=lambda t: (order.get(t.exercise, 99), t.line))
            count = len({(t.exercise, t.function) for t in todo})
            lines.append("")
            lines.append(text("report.todo", count=count, function=first.function, module=first.exercise))
        lines.append("")
        lines.append(text("report.total", score=_pts(self.score), max_score=_pts(self.max_score)))
        if self.hidden_not_run:  # {exercise: {function: points}} (runner.hidden_points), or a plain total
            hidden = self.hidden_not_run
            pending = hidden if isinstance(hidden, dict) else {}
            total = sum(sum(f.values()) for f in pending.values()) if isinstance(hidden, dict) else hidden
            lines.append(text("report.hidden_pending", points=_pts(total)))
            for exercise, functions in pending.items():
                listed = text("report.hidden_by_function.separator").join(
                    text("report.hidden_by_function.function", function=f, points=_pts(p)) for f, p in functions.items()
                )
                lines.append(text("report.hidden_by_function.exercise", exercise=exercise, functions=listed))
        if self.isolation:
            lines.append(
                text(
                    "report.isolation",
                    level=text(f"isolation.level.{self.isolation}"),
                    meaning=text(f"isolation.{self.isolation}"),
                )
            )
        return "\n".join(fit(lines))


@dataclass
class Entry:
    """One entry of the report's "What to fix": a check, or a problem of a whole file standing for its checks."""

    status: str
    title: str
    message: str
    printed: object = None
    figures: list = field(default_factory=list)


def problem_entries(tests: list[CheckResult]) -> list[Entry]:
    """The entries of "What to fix", exercise by exercise, each cause once and first:

    * a problem of the file (it cannot be read or imported, it lacks an import: ``file_problem``) is one entry at
      the top of its exercise, its message once, and the checks it kept from running named in one line;
    * then each function's failing checks together, in the order their first one ran, those with the specific
      cause before those that only point elsewhere (the same message shown above, or "this holds, but the
      result is not right yet").
    """
    order = {name: i for i, name in enumerate(registry.names())}
    problems = [t for t in tests if t.status != "passed" and not t.not_implemented]
    entries: list[Entry] = []
    for exercise in sorted({t.exercise for t in problems}, key=lambda e: order.get(e, 99)):
        mine = [t for t in problems if t.exercise == exercise]
        blocked = [t for t in mine if t.file_problem]
        if blocked:
            shown = next((t for t in blocked if not t.pointer), blocked[0])
            functions = text("report.file.separator").join(f"`{f}`" for f in dict.fromkeys(t.function for t in blocked))
            total = sum(1 for t in tests if t.exercise == exercise)
            not_checked = text(
                "report.file.not_checked_all" if len(blocked) == total else "report.file.not_checked",
                count=len(blocked),
                total=total,
                functions=functions,
            )
            entries.append(
                Entry(
                    shown.status,
                    text(f"report.file.title.{shown.file_problem}", module=exercise),
                    f"{shown.message}\n{not_checked}",
                    shown.printed,
                    shown.figures,
                )
            )
        by_function: dict[str, list[CheckResult]] = {}
        for t in mine:
            if not t.file_problem:
                by_function.setdefault(t.function, []).append(t)
        for group in by_function.values():
            group.sort(key=lambda t: t.pointer or t.hint == "hint.fix_values_first")  # (stable: else as they ran)
            entries.extend(Entry(t.status, t.name, t.message, t.printed, t.figures) for t in group)
    return entries


def _sparklines(tests: list[CheckResult]) -> list[str]:
    """One line per function whose training ran: the learner's loss per epoch, as a sparkline."""
    lines, seen = [], set()
    for t in tests:
        for figure in t.figures:
            losses = figure.get("losses") if figure.get("kind") == "loss_curve" else None
            if not losses or figure.get("function") in seen:
                continue
            line = sparkline(losses)
            if line:
                seen.add(figure.get("function"))
                numbers = [v for v in losses if isinstance(v, float)]
                lines.append(
                    "  "
                    + text(
                        "report.sparkline",
                        function=figure.get("function"),
                        line=line,
                        first=f"{numbers[0]:.3g}",
                        last=f"{numbers[-1]:.3g}",
                        epochs=len(losses),
                    )
                )
    return lines


def write_atomic(path: Path, content: str) -> None:
    """Write ``content`` to a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False, newline=""
    )
    try:
        with handle:
            handle.write(content)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _pts(value: float) -> str:
    return f"{value:g}"


# ----------------------------------------------------------------- the report's layout
# Every line of the terminal report fits WIDTH columns (a CJK character takes two, see expect.display_width):
# long lines are wrapped at spaces, or between CJK characters, and continue at their own indentation (under
# the value, for "expected: ..." lines). A line never breaks inside a code span (`...`, spaces and all), nor
# inside a Chinese word: a word of messages/zh_CN/words.txt (the words of the kit's Chinese texts and the
# glossary's terms, scripts/zh_words.py), or any run of at most SHORT_RUN Chinese characters between
# punctuation, spaces or Latin text. A piece longer than a whole line (a long path, a line of code without
# spaces, an array preview) is cut where the line ends: the only way to keep it within the width.

WIDTH = 100
NBSP = "\u00a0"  # a space where a line may not break ("title  (hidden)"); shown as a plain space
ROW_INDENT = 20  # "  PASS       3/3    " : where a check's title starts in its row
_NO_LINE_START = set("，。、；：？！）》」』】〉”’,.;:!?)]}%…")  # punctuation kept with the text before it
_NO_LINE_END = set("（《「『【〈“‘([{")  # ... and with the text after it


SHORT_RUN = 4
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def _wide(char: str) -> bool:
    return display_width(char) == 2


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset, int]:
    """The Chinese words a line may not break inside (messages/zh_CN/words.txt), and the longest one's length."""
    path = Path(__file__).resolve().parent.parent / "messages" / "zh_CN" / "words.txt"
    if not path.is_file():
        return frozenset(), 0
    words = frozenset(
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return words, max(map(len, words), default=0)


def glued(text_: str) -> set[int]:
    """The positions i where no line may break between ``text_[i - 1]`` and ``text_[i]``: inside a code span, and
    inside a Chinese word (a listed word, found longest first from the left, or a run of at most SHORT_RUN)."""
    inside: set[int] = set()
    for span in _CODE_SPAN.finditer(text_):
        inside.update(range(span.start() + 1, span.end()))
    words, longest = _words()
    for run in _HAN_RUN.finditer(text_):
        chars, start = run.group(), run.start()
        if len(chars) <= SHORT_RUN:
            inside.update(range(start + 1, run.end()))
            continue
        i = 0
        while i < len(chars):
            size = next((n for n in range(min(longest, len(chars) - i), 1, -1) if chars[i : i + n] in words), 1)
            inside.update(range(start + i + 1, start + i + size))
            i += size
    return inside


def _pieces(text_: str) -> list[list[str]]:
    """``[space before, piece]`` pairs: the places a line may break. A piece is a run of narrow characters
    without spaces, or a wide (CJK) character, with the punctuation that may not be separated from it, and
    with whatever :func:`glued` keeps together (a code span with its spaces, a Chinese word)."""
    pieces: list[list[str]] = []
    space = ""
    keep = glued(text_)
    for index, char in enumerate(text_):
        if char == " " and index not in keep:
            space += char
            continue
        if pieces and not space:
            before = pieces[-1][1][-1]
            if (
                index in keep
                or (not _wide(char) and not _wide(before))
                or char in _NO_LINE_START
                or before in _NO_LINE_END
            ):
                pieces[-1][1] += char
                continue
        pieces.append([space, char])
        space = ""
    return pieces


def wrap(line: str, width: int = WIDTH, indent: str | None = None) -> list[str]:
    """``line`` as lines of at most ``width`` columns; continuation lines start with ``indent``
    (by default the line's own leading spaces)."""
    if display_width(line) <= width:
        return [line.replace(NBSP, " ")]
    body = line.lstrip(" ")
    lead = line[: len(line) - len(body)]
    indent = lead if indent is None else indent
    if display_width(indent) > width // 2:  # a continuation must leave room for text
        indent = " " * (width // 2)
    out, current, used, fresh = [], lead, display_width(lead), True
    for space, piece in _pieces(body):
        size = display_width(piece)
        if not fresh and used + len(space) + size > width:
            out.append(current.rstrip(" "))
            current, used, fresh = indent, display_width(indent), True
        if not fresh:
            current, used = current + space, used + len(space)
        while used + size > width:  # longer than a whole line: cut it where the line ends
            cut, taken = 0, 0
            while cut < len(piece) and used + taken + display_width(piece[cut]) <= width:
                taken += display_width(piece[cut])
                cut += 1
            cut = max(cut, 1) if fresh else cut
            out.append((current + piece[:cut]).rstrip(" "))
            piece, size = piece[cut:], size - taken
            current, used = indent, display_width(indent)
        current, used, fresh = current + piece, used + size, False
    out.append(current.rstrip(" "))
    return [part.replace(NBSP, " ") for part in out]


def fit(lines: list[str], width: int = WIDTH) -> list[str]:
    """Every line made printable (no escape sequences or control characters) and wrapped to ``width``."""
    return [part for line in lines for part in wrap(printable(line, keep_newlines=False), width)]


def _row(status: str, score: float, max_score: float, title: str) -> list[str]:
    """A check's row, ``  PASS       3/3    title``, its title wrapped under itself."""
    head = f"  {status}{' ' * max(1, 8 - display_width(status))}{_pts(score):>4}/{_pts(max_score):<4} "
    return wrap(head + title, indent=" " * ROW_INDENT)


def _message_lines(message: str) -> list[str]:
    """A check's message, indented under its title; a labelled line ("expected: ...", "Likely cause: ...")
    continues under its value, any other line at its own indentation."""
    labels = [
        label(key).rstrip(" ")
        for key in ("layout.expected", "layout.got", "layout.cause", "layout.or_cause", "layout.advice", "layout.where")
    ]
    lines = []
    for line in printable(message).splitlines():
        line = "    " + line
        body = line.lstrip(" ")
        indent = None
        for name in labels:
            if body.startswith(name):
                value = body[len(name) :]
                indent = " " * (len(line) - len(body) + display_width(name) + len(value) - len(value.lstrip(" ")))
                break
        lines.extend(wrap(line, indent=indent))
    return lines


PRINTED_GUTTER = "      | "  # what the learner's code printed is shown behind this: it can never look like the report


def _printed_lines(printed) -> list[str]:
    """What the learner's code printed during a check that did not pass, under its message (nothing if nothing)."""
    if not printed:
        return []
    lines = [f"    {text('report.printed.title')}"]
    shown = printable(printed.text).split("\n")
    if printed.cut:
        shown[-1] += "…"
    for line in shown:
        lines.extend(part.rstrip() for part in wrap(PRINTED_GUTTER + line, indent=PRINTED_GUTTER))
    if printed.more:
        lines.append("      " + text("report.printed.more", count=printed.more))
    return lines

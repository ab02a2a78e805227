"""Gradescope's side: grade /autograder/submission, write /autograder/results/results.json.

Follows Gradescope's autograder specification: ``score``,
``execution_time``, ``output``, ``output_format``, ``test_output_format``,
``test_name_format``, ``stdout_visibility`` and ``tests[]`` (with ``name``,
``number``, ``score``, ``max_score``, ``status``, ``output``, ``tags``,
``visibility``, ``extra_data``). Outputs are Markdown (``"md"``): prose with
its `code spans`, and values, tracebacks and what the learner's code printed
in fenced blocks whose fence is longer than any run of backticks inside, so
nothing the learner controls can close the block or render as Markdown.
Names stay plain text. Hidden checks are ``after_published`` unless
``AUTOGRADER_HIDDEN_VISIBILITY`` (set by the bundle's run_autograder) says
``after_due_date``. A results file is
written whatever happens; when the grader itself fails the student is told
so, and the traceback goes to stdout, which only instructors see.

Gradescope runs this as root. The submission is read as an unprivileged
user (links and hard links to the grader's files read nothing) and runs in
the sandbox at the strongest level the container allows (see the README's
threat model): it cannot read the grader, the solutions or the hidden
checks, nor write the results. Below the ``namespaces`` level the runner
refuses to grade (every student would get 0 with a message for the
instructor) unless the bundle was built with ``--allow-weak-sandbox`` or
``AUTOGRADER_ALLOW_WEAK_SANDBOX=1`` is set; the level is printed in the
(hidden) stdout. ``GRADESCOPE_ROOT`` moves ``/autograder`` (the kit's tests
use it).
"""

from __future__ import annotations

import json
import os
import re
import textwrap
import time
import traceback
from pathlib import Path

from autograder.course import registry
from autograder.grading import preflight
from autograder.grading.preflight import unprivileged_ids
from autograder.grading.results import write_atomic
from autograder.grading.sandboxes import course_sandbox
from autograder.messages import has, text
from autograder.sandbox.client import Limits, printable

HIDDEN_ENV = "AUTOGRADER_HIDDEN_VISIBILITY"
HIDDEN_CHOICES = ("after_published", "after_due_date")  # the first is the default
VISIBILITY = {"public": "visible", "hidden": HIDDEN_CHOICES[0]}


WEAK_ENV = "AUTOGRADER_ALLOW_WEAK_SANDBOX"


def hidden_visibility() -> str:
    """When Gradescope shows hidden checks (and so the student's total): ``$AUTOGRADER_HIDDEN_VISIBILITY``."""
    value = os.environ.get(HIDDEN_ENV, "").strip()
    if not value:
        return HIDDEN_CHOICES[0]
    if value not in HIDDEN_CHOICES:
        raise ValueError(
            f"{HIDDEN_ENV}={value!r} is not one of {', '.join(HIDDEN_CHOICES)}: rebuild the bundle "
            "with `python -m autograder build gradescope --hidden-visibility after_published` "
            "(or after_due_date)"
        )
    return value


# ----------------------------------------------------------------------------- Markdown
# Gradescope renders "md" outputs. Prose is escaped character by character (so text the learner controls,
# such as an exception's message, shows as typed), except the `code spans` of the catalogue's texts; lines
# that start with spaces (expected/got values, tracebacks) and what the learner's code printed go in fenced
# blocks, each fence longer than the longest run of backticks it holds, so nothing inside can close it.

_SPAN = re.compile(r"`[^`\n]+`")
# emphasis, code, links and images, tables, strikethrough, HTML and autolinks, entities, quotes
_ESCAPE = {c: "\\" + c for c in "\\`*_[]|~<>&"}
_LINE_START = re.compile(r"^(\d+(?=[.)])|[-+#=])")  # lists, headings, rules: only where a line starts


def md_text(line: str) -> str:
    """One line of prose as Markdown that renders exactly as ``line``, keeping its `code spans`."""
    out, last = [], 0
    for span in _SPAN.finditer(line):
        out.append("".join(_ESCAPE.get(c, c) for c in line[last : span.start()]))
        out.append(span.group())
        last = span.end()
    out.append("".join(_ESCAPE.get(c, c) for c in line[last:]))
    escaped = "".join(out)
    match = _LINE_START.match(escaped)
    if not match:
        return escaped
    if match.group(1)[0].isdigit():  # "1." or "1)" would start a numbered list
        return escaped[: match.end()] + "\\" + escaped[match.end() :]
    return "\\" + escaped


def md_block(lines: list[str]) -> str:
    """``lines`` as a fenced block: verbatim, whatever they hold."""
    body = textwrap.dedent("\n".join(lines)).strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def md_message(message: str, printed=None) -> str:
    """A check's message (and what the learner's code printed) as Markdown."""
    chunks: list[str] = []
    block: list[str] = []
    for line in printable(message).split("\n"):
        if line[:1].isspace():
            block.append(line)
            continue
        if block:
            chunks.append(md_block(block))
            block = []
        if line.strip():
            chunks.append(md_text(line))
    if block:
        chunks.append(md_block(block))
    if printed:
        chunks.append(md_text(text("report.printed.title")))
        shown = printable(printed.text) + ("…" if printed.cut else "")
        chunks.append(md_block(shown.split("\n")))
        if printed.more:
            chunks.append(md_text(text("report.printed.more", count=printed.more)))
    return "\n\n".join(chunks)


def weak_allowed() -> bool:
    return os.environ.get(WEAK_ENV, "").strip().lower() in ("1", "yes", "true")


FORMATS = {"output_format": "md", "test_output_format": "md", "test_name_format": "text"}


def to_gradescope(report, seconds: float, hidden: str | None = None) -> dict:
    """``report`` as results.json; ``hidden``: the visibility of hidden checks (default :func:`hidden_visibility`)."""
    visibility = dict(VISIBILITY, hidden=hidden or hidden_visibility())
    numbers = {e.name: e.number for e in registry.course(include_hidden=False).exercises}
    counters: dict[str, int] = {}
    tests = []
    for test in report.tests:
        counters[test.exercise] = counters.get(test.exercise, 0) + 1
        tests.append(
            {
                "name": test.name,
                "number": f"{numbers.get(test.exercise, 0)}.{counters[test.exercise]}",
                "score": float(test.score),
                "max_score": float(test.max_score),
                "status": "passed" if test.status == "passed" else "failed",
                "output": md_message(test.message, test.printed) if test.status != "passed" else "",
                "tags": [test.exercise],
                "visibility": visibility[test.visibility],
                "extra_data": {"exercise": test.exercise, "function": test.function, "status": test.status},
            }
        )
    # the summary is shown at once: only the public checks' points, or it would give away the hidden ones
    # (and the total, which Gradescope hides until the hidden checks are shown)
    public = [t for t in report.tests if t.visibility == "public"]
    key = "gradescope.summary"
    if visibility["hidden"] != "after_published":
        key = f"gradescope.summary_{visibility['hidden']}" if has(f"gradescope.summary_{visibility['hidden']}") else key
    summary = [text(key, score=f"{sum(t.score for t in public):g}", max_score=f"{sum(t.max_score for t in public):g}")]
    summary.extend(report.notes)
    return {
        "score": float(report.score),
        "execution_time": int(round(seconds)),
        "output": "\n\n".join(md_text(line) for part in summary for line in part.split("\n") if line.strip()),
        **FORMATS,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _doctor() -> None:
    """The pre-flight report (``doctor``) in the hidden stdout, for the instructor."""
    try:
        preflight.check("gradescope", allow_weak_sandbox=weak_allowed())
    except Exception:  # noqa: BLE001 - the results file is written whatever happens
        traceback.print_exc()


def failure_results(seconds: float) -> dict:
    return {
        "score": 0.0,
        "execution_time": int(round(seconds)),
        "output": md_text(text("gradescope.grader_failed")),
        **FORMATS,
        "stdout_visibility": "hidden",
        "tests": [],
    }


def run(root: Path | None = None) -> int:
    root = Path(root or os.environ.get("GRADESCOPE_ROOT", "/autograder"))
    results = root / "results" / "results.json"
    started = time.monotonic()
    try:
        hidden = hidden_visibility()  # a bundle built wrong is said so before any grading
    except ValueError as exc:
        print(f"Refusing to grade: {exc}")
        write_atomic(
            results, json.dumps(failure_results(time.monotonic() - started), indent=2, ensure_ascii=False) + "\n"
        )
        return 0
    try:
        # lazy, inside the try: a kit whose checks fail to import still leaves a results file (not for speed)
        from autograder.grading.runner import grade

        ids = unprivileged_ids()
        limits = Limits(uid=ids[0], gid=ids[1]) if ids else Limits()
        with course_sandbox(once=True) as sandbox:  # one submission
            level = sandbox.level_now()
            print(f"sandbox level: {level}" + (f" (namespaces refused: {sandbox.refusal})" if sandbox.refusal else ""))
            if level != "namespaces" and not weak_allowed():
                print(
                    f"Refusing to grade: the sandbox level is {level!r}, below 'namespaces'. Set {WEAK_ENV}=1 "
                    "(or build with `python -m autograder build gradescope --allow-weak-sandbox`) to grade anyway."
                )
                print(
                    "Why, and what to do: `python -m autograder doctor --channel gradescope` (its report from "
                    "building this image is in the build log; it is printed again below)."
                )
                _doctor()
                data = failure_results(time.monotonic() - started)
            else:
                if level != "namespaces":
                    print(f"grading with a weak sandbox ({level}) because {WEAK_ENV} is set")
                report = grade(root / "submission", sandbox=sandbox, limits=limits, stage_as=ids)
                data = to_gradescope(report, time.monotonic() - started, hidden)
                print(report.render("submission"))
    except BaseException:  # noqa: BLE001 - always leave a results file behind
        traceback.print_exc()
        data = failure_results(time.monotonic() - started)
    write_atomic(results, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0

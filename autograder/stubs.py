"""Single source: turn ``solutions/*.py`` into the learners' ``exercises/*.py``.

Each answer in a solution file sits between two marker lines::

    # BEGIN SOLUTION
    ...the answer...
    # END SOLUTION

:func:`strip_solution` replaces each such block with one fenced hole that
raises ``NotImplementedError`` naming the exercise and function, keeping the
signature, the docstring and any set-up before or after the block. Markers
that are unmatched, nested, misspelt or outside a function are errors: a
stripper that guesses could leak an answer into the release.
"""

from __future__ import annotations

import ast
import datetime as _dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
# Anything that looks like an attempt at a marker, to catch typos such as "#BEGIN SOLUTION".
_MARKER_LIKE = re.compile(r"#.*\b(BEGIN|END)\s*SOLUTION\b", re.IGNORECASE)

FENCE_OPEN = "# --- your code starts here: replace the raise below ---"
FENCE_CLOSE = "# --- your code ends here ---"


class MarkerError(ValueError):
    """A solution file's markers do not pair up cleanly."""


def _function_spans(tree: ast.AST, prefix: str = "") -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function; a method is named ``Class.method``."""
    spans = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            spans.append((node.lineno, node.end_lineno or node.lineno, prefix + node.name))
            spans += _function_spans(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            spans += _function_spans(node, prefix + node.name + ".")
        else:
            spans += _function_spans(node, prefix)
    return spans


def _enclosing_function(spans, lineno: int) -> str | None:
    inside = [span for span in spans if span[0] <= lineno <= span[1]]
    if not inside:
        return None
    return max(inside, key=lambda span: span[0])[2]  # the innermost one starts last


def strip_solution(source: str, module: str, filename: str = "<solution>") -> str:
    """Return the exercise (stub) version of one solution file's source.

    Raises:
        MarkerError: on a nested, unmatched, misspelt or misplaced marker, or
            when the result would not compile.
    """
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise MarkerError(f"{filename}:{exc.lineno}: the solution itself does not parse: {exc.msg}") from exc
    spans = _function_spans(tree)
    out: list[str] = []
    open_line = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        text = line.strip()
        if text == BEGIN:
            if open_line:
                raise MarkerError(
                    f"{filename}:{number}: nested '{BEGIN}' (the block opened at line {open_line} is not closed)"
                )
            function = _enclosing_function(spans, number)
            if function is None:
                raise MarkerError(f"{filename}:{number}: '{BEGIN}' outside a function: every hole belongs to one")
            open_line = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{FENCE_OPEN}\n")
            out.append(f'{indent}raise NotImplementedError("{module}.{function}: not implemented yet")\n')
            out.append(f"{indent}{FENCE_CLOSE}\n")
        elif text == END:
            if not open_line:
                raise MarkerError(f"{filename}:{number}: '{END}' without a matching '{BEGIN}'")
            open_line = 0
        elif _MARKER_LIKE.search(line):
            raise MarkerError(
                f"{filename}:{number}: a line that looks like a solution marker but is not exactly "
                f"'{BEGIN}' or '{END}' on a line of its own: {text!r}"
            )
        elif not open_line:
            out.append(line)
    if open_line:
        raise MarkerError(f"{filename}:{open_line}: '{BEGIN}' is never closed by '{END}'")
    result = "".join(out)
    try:
        compile(result, filename, "exec")
    except SyntaxError as exc:  # pragma: no cover - depends on a malformed solution
        raise MarkerError(f"{filename}: the stripped file does not compile (line {exc.lineno}): {exc.msg}") from exc
    return result


def solution_bodies(source: str) -> list[str]:
    """The non-blank lines inside the solution blocks (for leak checks)."""
    lines, inside = [], False
    for line in source.splitlines():
        text = line.strip()
        if text == BEGIN:
            inside = True
        elif text == END:
            inside = False
        elif inside and text and not text.startswith("#"):
            lines.append(text)
    return lines


def _committed_text(path: Path) -> str | None:
    """The version of ``path`` in git's index (what is committed or staged), or None."""
    try:
        top = subprocess.run(
            ["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        relative = path.resolve().relative_to(Path(top).resolve())
        shown = subprocess.run(
            ["git", "-C", top, "show", f":{relative.as_posix()}"], capture_output=True, text=True, check=True
        )
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None
    return shown.stdout


@dataclass
class StubOutcome:
    path: Path
    action: str  # "unchanged" | "written" | "created" | "kept-edits" | "overwritten"
    backup: Path | None = None

    def describe(self) -> str:
        if self.action == "kept-edits":
            return (
                f"{self.path}: NOT overwritten: it holds edits (it differs from the stub and from git's copy). "
                f"Run again with --force (make stubs FORCE=1) to replace it; a backup is kept."
            )
        if self.action == "overwritten":
            return f"{self.path}: overwritten (your edits were saved in {self.backup})"
        return f"{self.path}: {self.action}"


def write_stubs(solutions_dir: Path, exercises_dir: Path, force: bool = False) -> list[StubOutcome]:
    """Regenerate every exercise from its solution, never silently losing edits.

    A file that differs both from the new stub and from git's copy holds a
    learner's edits: it is kept unless ``force``, and then backed up first.
    """
    exercises_dir.mkdir(parents=True, exist_ok=True)
    outcomes = []
    sources = sorted(solutions_dir.glob("ex*.py"))
    stubs = {src.name: strip_solution(src.read_text(), src.stem, str(src)) for src in sources}  # fail before writing
    for name, stub in stubs.items():
        target = exercises_dir / name
        if not target.exists():
            target.write_text(stub)
            outcomes.append(StubOutcome(target, "created"))
            continue
        current = target.read_text()
        if current == stub:
            outcomes.append(StubOutcome(target, "unchanged"))
        elif current == _committed_text(target):
            target.write_text(stub)
            outcomes.append(StubOutcome(target, "written"))
        elif not force:
            outcomes.append(StubOutcome(target, "kept-edits"))
        else:
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = target.with_name(f"{target.name}.bak-{stamp}")
            backup.write_text(current)
            target.write_text(stub)
            outcomes.append(StubOutcome(target, "overwritten", backup))
    return outcomes

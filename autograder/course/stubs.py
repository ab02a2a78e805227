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
import hashlib
import json
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
# The fence comments of each release language, and the text of the raise between them, which a learner
# sees when they call a function they have not written yet (``{name}``: ``exercise.function``). The grader
# recognises "not implemented yet" by the exception's type, never by its text.
FENCES = {
    "en": (FENCE_OPEN, FENCE_CLOSE),
    "zh_CN": ("# --- 你的代码从这里开始：替换下面这一行 ---", "# --- 你的代码到这里结束 ---"),
}
NOT_IMPLEMENTED = {"en": "{name}: not implemented yet", "zh_CN": "{name} 尚未实现：请用你的代码替换这一行"}


class MarkerError(ValueError):
    """A solution file's markers do not pair up cleanly, or leave a line of the answers outside them."""


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


def strip_solution(
    source: str,
    module: str,
    filename: str = "<solution>",
    fences: tuple[str, str] = (FENCE_OPEN, FENCE_CLOSE),
    not_implemented: str = NOT_IMPLEMENTED["en"],
) -> str:
    """Return the exercise (stub) version of one solution file's source.

    ``fences``: the two comment lines around each hole (``FENCES[lang]``); ``not_implemented``: the
    text each hole raises, ``{name}`` standing for ``module.function`` (``NOT_IMPLEMENTED[lang]``).

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
            out.append(f"{indent}{fences[0]}\n")
            message = not_implemented.format(name=f"{module}.{function}")
            quoted = message.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'{indent}raise NotImplementedError("{quoted}")\n')
            out.append(f"{indent}{fences[1]}\n")
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


# ------------------------------------------------------------ no answer line in a release
#
# The one rule for what a student release may hold of the answers (build_release refuses a release
# that breaks it; tests/test_no_answer_in_release.py shows it on both languages' releases): no file of
# the release, whatever it is (exercise file, README, grader module, check, message catalogue, hint),
# holds a substantial piece of a line of solutions/*.py's answers.
#
# * The answer lines are those between the markers (solution_bodies), without their comments.
# * The pieces of a line are the line itself and what it computes: the value of an assignment, of a
#   return or of a yield, and the arguments of a call made for its effect (``losses.append(<piece>)``).
#   A hint that gives the right-hand side of a line gives the line.
# * A piece is substantial when it has at least MIN_CHARS characters without spaces and MIN_NODES syntax
#   nodes (names, constants, calls, attributes, subscripts, operations; operators and contexts are not
#   counted). Below that are the formulas and library names the docstrings state themselves
#   (``X @ w + b``, ``2 * (w * x - y) * x``, ``w -= lr * dw``, ``trainer.zero_grad()``,
#   ``with torch.no_grad():``, ``for _ in range(epochs):``): any correct answer repeats them, and a
#   docstring or a hint cannot teach without naming them.
# * A piece matches wherever it appears with any spacing or line breaks; ``0.0`` reads as ``0`` and ``'``
#   as ``"``; a name that a loop of the answer's function binds (``for key in params``) stands for any
#   name (``params[k] -= lr * grads[k]`` is the answer's ``params[key] -= lr * grads[key]``), and every
#   other name must be the same name, whole (``l.sum()`` is not in ``total.sum()``).

MIN_CHARS = 15
MIN_NODES = 7
_NOT_COUNTED = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop, ast.Pass)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class AnswerPiece:
    """A substantial piece of an answer line (see the rule above)."""

    exercise: str
    line: str  # the answer line it comes from, as written
    piece: str  # the piece, as written
    pattern: re.Pattern

    def __str__(self) -> str:
        whole = self.piece == self.line.rstrip(":").rstrip()
        return f"{self.exercise}: {self.line}" + ("" if whole else f"  (its piece {self.piece})")


def normalise_code(text: str) -> str:
    """``text`` as the rule compares it: spaces kept only between two name characters, ``\\"`` and ``'`` as ``"``,
    a float with a zero fraction as an integer."""
    text = text.replace('\\"', '"').replace("'", '"')
    text = re.sub(
        r"\s+",
        lambda m: (
            " " if m.start() and m.end() < len(text) and re.match(r"\w\w", text[m.start() - 1] + text[m.end()]) else ""
        ),
        text,
    )
    return re.sub(r"(?<![\w.])(\d+)\.0(?![\d\w])", r"\1", text)


def _size(node: ast.AST) -> int:
    return sum(1 for child in ast.walk(node) if not isinstance(child, _NOT_COUNTED))


def _statement(line: str) -> ast.stmt:
    try:
        return ast.parse(line).body[0]
    except SyntaxError:  # the header of a block: for ...:, with ...:, if ...:
        return ast.parse(line + " pass").body[0]


def _pieces(line: str) -> list[tuple[str, ast.AST]]:
    statement = _statement(line)
    # a block's header without its colon: "for i in ..." is it
    found: list[tuple[str | None, ast.AST]] = [(line.rstrip(":").rstrip(), statement)]
    value = (
        getattr(statement, "value", None)
        if isinstance(statement, (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr))
        else None
    )
    if isinstance(value, (ast.Yield, ast.YieldFrom)):
        value = value.value
    if isinstance(statement, ast.Expr) and isinstance(value, ast.Call):
        found += [(ast.get_source_segment(line, argument), argument) for argument in value.args]
    elif value is not None:
        found.append((ast.get_source_segment(line, value), value))
    return [
        (text, node)
        for text, node in found
        if text and len(re.sub(r"\s+", "", text)) >= MIN_CHARS and _size(node) >= MIN_NODES
    ]


def _pattern(piece: str, free: set[str]) -> re.Pattern:
    text, position = normalise_code(piece), 0
    out: list[str] = []
    seen: dict[str, str] = {}  # a free name -> its group
    for match in _IDENTIFIER.finditer(text):
        out.append(re.escape(text[position : match.start()]))
        name = match.group()
        if name in free and not text[: match.start()].endswith("."):
            if name in seen:
                out.append(f"(?P={seen[name]})")
            else:
                seen[name] = f"free{len(seen)}"
                out.append(f"(?P<{seen[name]}>[A-Za-z_][A-Za-z0-9_]*)")
        else:
            out.append(re.escape(name))
        position = match.end()
    out.append(re.escape(text[position:]))
    body = "".join(out)
    if re.match(r"\w", text):
        body = r"(?<![A-Za-z0-9_.])" + body
    if re.search(r"\w$", text):
        body += r"(?![A-Za-z0-9_])"
    return re.compile(body)


def answer_pieces(solutions: Path) -> list[AnswerPiece]:
    """Every substantial piece of every answer line of ``solutions/ex*.py``."""
    found = []
    for path in sorted(solutions.glob("ex*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        spans = _function_spans(tree)
        loops: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                loops[node.name] = {
                    name.id
                    for target in ast.walk(node)
                    if isinstance(target, (ast.For, ast.comprehension))
                    for name in ast.walk(target.target)
                    if isinstance(name, ast.Name)
                } - {"_"}
        inside = False
        for number, raw in enumerate(source.splitlines(), start=1):
            text = raw.strip()
            if text in (BEGIN, END):
                inside = text == BEGIN
                continue
            code = text.split("  #")[0].strip()
            if not inside or not code or code.startswith("#"):
                continue
            function = (_enclosing_function(spans, number) or "").rsplit(".", 1)[-1]
            for piece, _ in _pieces(code):
                found.append(AnswerPiece(path.stem, code, piece, _pattern(piece, loops.get(function, set()))))
    return found


def answer_leaks(text: str, pieces: list[AnswerPiece]) -> list[AnswerPiece]:
    """The pieces of ``pieces`` that ``text`` holds."""
    normalised = normalise_code(text)
    return [piece for piece in pieces if piece.pattern.search(normalised)]


# ------------------------------------------------------------ which functions hold an answer


def hole_functions(source: str) -> list[str]:
    """Qualified names (``Class.method``) of the functions that hold a ``# BEGIN SOLUTION`` block."""
    spans = _function_spans(ast.parse(source))
    names = []
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            function = _enclosing_function(spans, number)
            if function and function not in names:
                names.append(function)
    return names


# ------------------------------------------------------------ writing the stubs


def _committed_text(path: Path) -> str | None:
    """The version of ``path`` in git's index (what is committed or staged), or None."""
    try:
        top = subprocess.run(
            ["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        ).stdout.strip()
        relative = path.resolve().relative_to(Path(top).resolve())
        shown = subprocess.run(
            ["git", "-C", top, "show", f":{relative.as_posix()}"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
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
                f"{self.path}: NOT overwritten: it holds edits (it differs from the stub, from git's copy and from "
                f"every stub `make stubs` wrote). Run again with --force (make stubs FORCE=1) to replace it; a backup "
                f"is kept outside exercises/."
            )
        if self.action == "overwritten":
            return f"{self.path}: overwritten (your edits were saved in {self.backup})"
        return f"{self.path}: {self.action}"


STATE = ".stubs"  # next to exercises/: what make stubs wrote (written.json) and the backups of forced overwrites


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _written(record: Path) -> dict[str, list[str]]:
    """``{file name: [sha256 of each stub make stubs wrote there, ...]}`` (empty when missing or unreadable)."""
    try:
        table = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {str(k): [str(d) for d in v] for k, v in table.items() if isinstance(v, list)}
        if isinstance(table, dict)
        else {}
    )


def stub_leaks(stubs: dict[str, str], solutions_dir: Path) -> None:
    """Raise :class:`MarkerError` when a stub holds a line of the answers, by the one rule of the release
    (:func:`answer_leaks`): a docstring or set-up line outside the markers that gives an answer away."""
    pieces = answer_pieces(solutions_dir)
    for name, stub in stubs.items():
        leaks = answer_leaks(stub, pieces)
        if leaks:
            raise MarkerError(
                f"{solutions_dir / name}: its stub holds a line of the answers: {leaks[0]} (put that "
                f"line between '{BEGIN}' and '{END}', or reword the text around it)"
            )


def write_stubs(
    solutions_dir: Path, exercises_dir: Path, force: bool = False, state: Path | None = None
) -> list[StubOutcome]:
    """Regenerate every exercise from its solution, never silently losing edits.

    A file is ours to replace when it is the new stub already, git's copy, or a stub this function wrote
    before (their digests are kept in ``state/written.json``; ``state`` is ``.stubs/`` beside
    ``exercises_dir``): a new exercise's stub is rewritten as its solution changes, committed or not. Any
    other file holds a learner's edits: it is kept unless ``force``, and then backed up first, in
    ``state/backup/`` (never in ``exercises_dir``, which holds only exercises). Nothing is written when a
    solution's markers are broken or a stub would hold a line of the answers (:func:`stub_leaks`).
    """
    state = state if state is not None else exercises_dir.parent / STATE
    record = state / "written.json"
    sources = sorted(solutions_dir.glob("ex*.py"))
    stubs = {
        src.name: strip_solution(src.read_text(encoding="utf-8"), src.stem, str(src)) for src in sources
    }  # fail before writing
    stub_leaks(stubs, solutions_dir)
    exercises_dir.mkdir(parents=True, exist_ok=True)
    written = _written(record)
    outcomes = []
    for name, stub in stubs.items():
        target = exercises_dir / name
        ours = written.setdefault(name, [])
        if not target.exists():
            target.write_text(stub, encoding="utf-8")
            outcomes.append(StubOutcome(target, "created"))
        else:
            current = target.read_text(encoding="utf-8")
            if current == stub:
                outcomes.append(StubOutcome(target, "unchanged"))
            elif _digest(current) in ours or current == _committed_text(target):
                target.write_text(stub, encoding="utf-8")
                outcomes.append(StubOutcome(target, "written"))
            elif not force:
                outcomes.append(StubOutcome(target, "kept-edits"))
                continue
            else:
                stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                backup = state / "backup" / f"{name}.{stamp}"
                backup.parent.mkdir(parents=True, exist_ok=True)
                backup.write_text(current, encoding="utf-8")
                target.write_text(stub, encoding="utf-8")
                outcomes.append(StubOutcome(target, "overwritten", backup))
        if _digest(stub) not in ours:
            ours.append(_digest(stub))
    state.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return outcomes

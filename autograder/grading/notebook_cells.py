"""What a notebook's code cells define, as the module graded in their place: the learner's self-check
(:mod:`autograder.channels.notebook`) and nbgrader's grading (:mod:`autograder.channels.nbgrader_grade`) both grade
:func:`definitions` of the cells, and both report a failed check as :class:`CheckNotPassed`."""

from __future__ import annotations

import ast

from autograder.checking.source import parse


class CheckNotPassed(AssertionError):
    """A check failed; the message is the grader's feedback."""


def _calls_something(node: ast.AST) -> bool:
    return any(isinstance(child, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for child in ast.walk(node))


def _imports_the_grader(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        names = [node.module or ""] if node.level == 0 else [""]
    elif isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        return False
    return all(name == "autograder" or name.startswith("autograder.") for name in names)


def definitions(cells: list[str], keep_unreadable: bool = False) -> str:
    """The module-level definitions in ``cells`` (in order), as the source of a module.

    Imports of the grader itself (``from autograder.channels.notebook import check``)
    are left out: they serve the self-check, and an exercise never needs them.
    A cell Python cannot parse is left out (nothing of it was defined in the
    notebook either), unless ``keep_unreadable``: nbgrader's grading keeps it
    whole, so that the module cannot be imported and the notebook costs what
    a file with a syntax error costs in ``python -m autograder grade``.
    """
    pieces = []
    for cell in cells:
        tree = parse(cell)
        if tree is None:
            if keep_unreadable:
                pieces.append(cell)
            continue
        for node in tree.body:
            keep = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if _imports_the_grader(node):
                keep = False
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and not _calls_something(node):
                keep = True
            if keep:
                start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                lines = cell.splitlines()[start - 1 : node.end_lineno]
                pieces.append("\n".join(lines))
    return "\n\n\n".join(pieces) + "\n"


def first_syntax_error(cells: list[str]) -> tuple[int, int, str] | None:
    """(index in ``cells``, line in that cell, Python's message) of the first cell Python cannot parse."""
    for index, cell in enumerate(cells):
        try:
            compile(cell, f"<cell {index + 1}>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as exc:
            return index, exc.lineno or 1, f"{type(exc).__name__}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:
            return index, 1, type(exc).__name__
    return None

"""Grading from inside a notebook: the test cells of the nbgrader course call :func:`check`.

``check("ex1_manual_gradients", "test_dloss_scalar")`` collects the
definitions you have run in this notebook (imports, functions, and
assignments that call nothing), writes them as ``ex1_manual_gradients.py``
into a fresh folder, and runs that one check on it in the sandbox, exactly as
``python -m autograder grade`` would. A failed check raises
:class:`CheckNotPassed` with the same feedback.

This is the learner's self-check only. ``nbgrader autograde`` never runs
these cells: it grades the notebook file in the sandbox
(:mod:`autograder.channels.nbgrader_grade`), because anything the learner's cells do
in a kernel, such as rebinding ``check``, could fake a pass.
"""

from __future__ import annotations

import ast
import atexit
import shutil
import tempfile
from pathlib import Path

from autograder.checking.source import parse
from autograder.course.environ import environment
from autograder.messages import text

_SANDBOX = None


class CheckNotPassed(AssertionError):
    """A check failed; the message is the grader's feedback."""


def shared_sandbox():
    """The sandbox of this process, started on first use and closed at exit."""
    global _SANDBOX
    if _SANDBOX is None:
        from autograder.grading.sandboxes import course_sandbox

        _SANDBOX = course_sandbox()
        atexit.register(_SANDBOX.close)
    return _SANDBOX


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


def _notebook_cells() -> list[str]:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() runs inside a Jupyter notebook")
    return [cell for cell in shell.user_ns.get("In", [])[1:] if isinstance(cell, str)]


def _rich_output() -> bool:
    """Whether this runs in a Jupyter kernel that can show HTML and pictures (and matplotlib is there)."""
    try:
        import matplotlib  # noqa: F401 - only asks whether pictures can be drawn
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def check(exercise: str, test: str, cells: list[str] | None = None) -> None:
    """Run one grading check on the code defined so far in this notebook."""
    from autograder.grading.runner import grade

    folder = Path(tempfile.mkdtemp(prefix="notebook-check-"))
    rich = _rich_output()
    # the checks compute the data of their pictures only when someone will see them
    try:
        with environment("AUTOGRADER_FIGURES", "1" if rich else None):
            (folder / f"{exercise}.py").write_text(
                definitions(cells if cells is not None else _notebook_cells()), encoding="utf-8"
            )
            report = grade(folder, sandbox=shared_sandbox(), only={test})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results = [t for t in report.tests if t.test_id == test and t.exercise == exercise]
    if not results:
        raise CheckNotPassed(text("notebook.unknown_check", test=test))
    result = results[0]
    if rich:
        from IPython.display import HTML, display

        from autograder.reports.html_report import render_check

        display(HTML(render_check(result)))  # the message with its pictures, as the HTML report shows them
    if result.status == "passed":
        print(text("notebook.passed", title=result.name, points=f"{result.max_score:g}"))
        return
    raise CheckNotPassed(
        text("notebook.failed", title=result.name, points=f"{result.max_score:g}", message=result.message)
    ) from None

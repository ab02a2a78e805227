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

import shutil
import tempfile
from pathlib import Path

from autograder.course.environ import environment
from autograder.grading.notebook_cells import CheckNotPassed, definitions
from autograder.grading.runner import grade
from autograder.grading.sandboxes import shared_sandbox
from autograder.messages import text
from autograder.reports.html_report import render_check

__all__ = ["CheckNotPassed", "check"]  # what a notebook's setup cell imports


def _notebook_cells() -> list[str]:
    from IPython import get_ipython  # lazy: IPython is not a dependency of the kit, only there in a notebook

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() runs inside a Jupyter notebook")
    return [cell for cell in shell.user_ns.get("In", [])[1:] if isinstance(cell, str)]


def _rich_output() -> bool:
    """Whether this runs in a Jupyter kernel that can show HTML and pictures (and matplotlib is there)."""
    try:  # lazy: a probe, whether matplotlib and IPython are there (neither is a dependency of the kit)
        import matplotlib  # noqa: F401 - only asks whether pictures can be drawn
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def check(exercise: str, test: str, cells: list[str] | None = None) -> None:
    """Run one grading check on the code defined so far in this notebook."""

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
        from IPython.display import HTML, display  # lazy (with get_ipython above): IPython is not the kit's

        display(HTML(render_check(result)))  # the message with its pictures, as the HTML report shows them
    if result.status == "passed":
        print(text("notebook.passed", title=result.name, points=f"{result.max_score:g}"))
        return
    raise CheckNotPassed(
        text("notebook.failed", title=result.name, points=f"{result.max_score:g}", message=result.message)
    ) from None

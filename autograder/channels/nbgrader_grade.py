"""nbgrader's autograde step for this course: grade the notebook *file* in the sandbox, never in a kernel.

nbgrader normally runs a submitted notebook in a kernel and scores each test
cell by whether it raised. That kernel also runs the learner's cells, which
can rebind ``check``, patch :mod:`autograder.channels.notebook`, ``sys.modules`` or
IPython, and so fake every pass: nothing a kernel reports can be trusted.

:class:`GradeInSandbox` takes the place of nbgrader's ``Execute``
preprocessor (see ``CONFIG`` in :mod:`autograder.build.notebooks`). It reads the
source of the notebook's code cells (never the test cells, never outputs),
turns it into the exercise module with :func:`autograder.grading.notebook_cells.definitions`,
grades that module once in the sandbox, exactly as ``python -m autograder
grade`` does, and then writes every test cell's outputs itself: a pass as a
line of text, anything else as an error, so that nbgrader's own
``SaveAutoGrades`` gives the cell its points or 0. No kernel starts and no
code from the notebook runs outside the sandbox.

A student's notebooks are graded together, when nbgrader reaches the first
of them: the others are read from the student's submitted folder and
sanitized as nbgrader will sanitize them (its ``DeduplicateIds``,
``OverwriteCells`` and ``CheckCellMetadata``), so that every public check of
the assignment runs before any hidden one, as in every other channel (see
the README's threat model); each later notebook takes its results, if its
source is the one graded (else it is graded by itself).

If the grader cannot run (a broken install, hidden checks without the
reference solutions, or a sandbox below the ``namespaces`` level unless
``c.GradeInSandbox.allow_weak_sandbox = True``, as for ``batch`` and
Gradescope), :class:`GradingUnavailable` is raised: nbgrader then reports
the notebook as failed and awards nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import CheckCellMetadata, DeduplicateIds, NbGraderPreprocessor, OverwriteCells
from traitlets import Bool

from autograder.build.notebooks import cell_check
from autograder.course import registry
from autograder.course.reference import available, solutions_dir
from autograder.grading import runner
from autograder.grading.notebook_cells import CheckNotPassed, definitions, first_syntax_error
from autograder.grading.sandboxes import shared_sandbox
from autograder.messages import text


class GradingUnavailable(RuntimeError):
    """The grader could not run on a notebook; it must fail, never award points."""


@lru_cache(maxsize=1)
def known_checks() -> dict[tuple[str, str], str]:
    """(exercise, test name) -> visibility, for every check of this installation."""
    return {(item.exercise, item.test_id): item.visibility for item in registry.course(include_hidden=True).checks}


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: a code cell worth points that holds no answer."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def check_of(cell: NotebookNode) -> tuple[str, str]:
    """The (exercise, test name) a test cell's grade_id ``<exercise>-<test>`` names (a hidden check's cell
    names it by its function only: ``notebooks.cell_check``)."""
    exercise, _, name = cell.metadata["nbgrader"].get("grade_id", "").partition("-")
    return exercise, cell_check(exercise, name)


def _passed(title: str, points: float) -> NotebookNode:
    return new_output("stream", name="stdout", text=text("notebook.passed", title=title, points=f"{points:g}") + "\n")


def _not_passed(message: str) -> NotebookNode:
    name = CheckNotPassed.__name__
    return new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


def _unavailable(name: str, exc: Exception) -> GradingUnavailable:
    return GradingUnavailable(f"{name}: the grader could not run ({type(exc).__name__}: {exc}); no points were given")


def _graded_part(nb: NotebookNode, known: dict) -> tuple[set[tuple[str, str]], str]:
    """(the known checks its test cells name, the source graded: the definitions of its other code cells)."""
    tests = [cell for cell in nb.cells if is_test_cell(cell)]
    wanted = {check_of(cell) for cell in tests} & known.keys()
    # a cell Python cannot read is kept whole: the module then fails to import, and the notebook loses what
    # `python -m autograder grade` takes for a file with a syntax error (its feedback names the cell)
    return wanted, definitions(
        [cell.source for cell in nb.cells if cell.cell_type == "code" and not is_test_cell(cell)], keep_unreadable=True
    )


def _unreadable(nb: NotebookNode) -> str | None:
    """The message for a notebook with a code cell Python cannot read (its cell and line), else None."""
    code = [
        (number, cell.source)
        for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "code" and not is_test_cell(cell)
    ]
    broken = first_syntax_error([source for _, source in code])
    return (
        None
        if broken is None
        else text("notebook.syntax_error", cell=code[broken[0]][0], line=broken[1], error=broken[2])
    )


class _Assignment:
    """The results of the last student's notebooks, graded together (see the module docstring)."""

    def __init__(self):
        self.student, self.sources, self.found = None, {}, {}

    @staticmethod
    def _who(resources: dict) -> tuple:
        info = resources.get("nbgrader", {})
        return info.get("student"), info.get("assignment")

    def keep(self, notebooks: dict, results: dict, resources: dict) -> None:
        self.student, self.sources, self.found = self._who(resources), dict(notebooks), dict(results)

    def results(self, name: str, source: str, wanted: set, resources: dict) -> dict | None:
        """This notebook's results if it was graded with the others (and its source is the one graded)."""
        if None in self._who(resources) or self._who(resources) != self.student or name not in self.sources:
            return None
        if self.sources[name] != (source, wanted) or not wanted <= self.found.keys():
            return None
        return {key: result for key, result in self.found.items() if key in wanted}


_ASSIGNMENT = _Assignment()


class GradeInSandbox(NbGraderPreprocessor):
    """Score the test cells of a notebook from its source, graded in the sandbox (replaces ``Execute``)."""

    allow_weak_sandbox = Bool(
        False, help="Grade even where the sandbox gets less than the 'namespaces' level (see the kit's README)."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        tests = [cell for cell in nb.cells if is_test_cell(cell)]
        if not tests:
            return nb, resources
        name = resources.get("nbgrader", {}).get("notebook") or "notebook"
        sandbox, known = self._start(name)
        wanted, source = _graded_part(nb, known)
        unreadable = _unreadable(nb)
        results = _ASSIGNMENT.results(name, source, wanted, resources)
        if results is None:
            together = {name: (source, wanted)} | self._the_others(name, resources, known)
            results = self._grade(name, together, known, sandbox)
            _ASSIGNMENT.keep(together, results, resources)
        for cell in tests:
            key = check_of(cell)
            result = results.get(key)
            if result is None:
                output = _not_passed(text("notebook.unknown_check", test=key[1] or key[0]))
            elif result.status == "passed":
                output = _passed(result.name, result.max_score)
            else:
                output = _not_passed(
                    text(
                        "notebook.failed",
                        title=result.name,
                        points=f"{result.max_score:g}",
                        message=unreadable or result.message,
                    )
                )
                if result.debug:
                    self.log.warning("The grader failed on %s in %s:\n%s", result.test_id, name, result.debug)
            cell.outputs = [output]
            cell.execution_count = None
        return nb, resources

    def _start(self, name: str) -> tuple:
        """The shared sandbox (refused below the 'namespaces' level unless allowed) and the known checks."""
        try:
            sandbox = shared_sandbox()  # starts now, while this process loads the checks (and torch)
            known = known_checks()
            level = sandbox.level_now()
        except Exception as exc:  # noqa: BLE001 - whatever broke, the notebook must fail, not score
            raise _unavailable(name, exc) from exc
        if level != "namespaces" and not self.allow_weak_sandbox:
            why = f" ({sandbox.refusal})" if getattr(sandbox, "refusal", "") else ""
            raise GradingUnavailable(
                f"{name}: the sandbox gets only the {level!r} level on this machine{why}, too weak to grade "
                "others' code; set c.GradeInSandbox.allow_weak_sandbox = True in nbgrader_config.py to grade "
                "anyway (no points were given)"
            )
        self.log.info("Grading %s in the sandbox (level %s)", name, level)
        return sandbox, known

    def _the_others(self, name: str, resources: dict, known: dict) -> dict[str, tuple[str, set]]:
        """notebook -> (graded source, wanted checks) of the student's other submitted notebooks, sanitized as
        nbgrader will sanitize them (one it would refuse is left out: it is graded alone, if ever)."""
        info = resources.get("nbgrader", {})
        if not info.get("student") or not info.get("assignment"):
            return {}
        try:
            folder = Path(
                CourseDirectory(config=self.config).format_path(
                    CourseDirectory(config=self.config).submitted_directory, info["student"], info["assignment"]
                )
            )
            paths = sorted(path for path in folder.glob("*.ipynb") if path.stem != name)
        except Exception:  # noqa: BLE001 - no folder to look in: this notebook alone
            return {}
        others = {}
        for path in paths:
            try:
                notebook = nbformat.read(path, as_version=4)
                mine = dict(resources, nbgrader=dict(info, notebook=path.stem))
                for step in (DeduplicateIds, OverwriteCells, CheckCellMetadata):
                    notebook, mine = step(config=self.config).preprocess(notebook, mine)
            except Exception:  # noqa: BLE001 - what nbgrader would refuse: not graded here
                continue
            wanted, source = _graded_part(notebook, known)
            if wanted:
                others[path.stem] = (source, wanted)
        return others

    def _grade(self, name: str, notebooks: dict[str, tuple[str, set]], known: dict, sandbox) -> dict:
        """Grade each notebook's source (notebook -> (source, wanted checks)) as the exercises its checks name, in
        one run (public checks first): (exercise, test) -> result."""
        wanted = {key for _, keys in notebooks.values() for key in keys}
        if not wanted:
            return {}
        hidden = any(known[key] == "hidden" for key in wanted)
        if hidden and not available():
            raise GradingUnavailable(
                f"{name}: its hidden checks need the reference solutions, which are not in {solutions_dir()}; "
                "set AUTOGRADER_SOLUTIONS to the kit's solutions/ folder (no points were given)"
            )
        folder = Path(tempfile.mkdtemp(prefix="nbgrader-grade-"))
        try:
            for notebook in sorted(notebooks, key=lambda other: other == name):  # this notebook's files last
                source, keys = notebooks[notebook]
                for exercise in sorted({exercise for exercise, _ in keys}):
                    (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
            try:
                report = runner.grade(folder, sandbox=sandbox, include_hidden=hidden, only={test for _, test in wanted})
            except Exception as exc:  # noqa: BLE001 - whatever broke, the notebook must fail, not score
                raise _unavailable(name, exc) from exc
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        results = {(result.exercise, result.test_id): result for result in report.tests}
        missing = sorted(f"{exercise}-{test}" for exercise, test in notebooks[name][1] - results.keys())
        if missing:
            raise GradingUnavailable(
                f"{name}: the grader returned no result for {', '.join(missing)}; no points were given"
            )
        return results

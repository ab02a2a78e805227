"""The nbgrader course, graded by the real nbgrader, gives the same scores as `python -m autograder grade`.

``nbgrader autograde`` grades each notebook's file in the sandbox
(autograder/channels/nbgrader_grade.py), never in a kernel: a submission that fakes
its checks in the kernel scores nothing, and no submitted code runs outside
the sandbox.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import registry
from autograder.messages import text
from autograder.course.stubs import BEGIN, END, strip_solution

from conftest import BUGGY, COURSE, MAX, ROOT, SOLUTIONS, build_buggy, load_bug

EXERCISES = registry.names()  # discovered from the files, never listed here

pytest.importorskip("nbgrader")
BIN = Path(sys.executable).parent
ASSIGNMENT = "backprop"

# Appended to every solution cell: each line faked a pass when nbgrader ran the notebook in a kernel.
FAKE_PASSES = '''
check = lambda *a, **k: None
import autograder.channels.notebook as n
n.check = lambda *a, **k: None
from IPython import get_ipython
get_ipython().showtraceback = lambda *a, **k: None
get_ipython().showsyntaxerror = lambda *a, **k: None
import sys
sys.modules["autograder.channels.notebook"] = None
'''


def nbgrader(course: Path, *args: str, env: dict | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env or {}), PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                         timeout=900)
    if ok:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def fill(release_notebook: Path, module_source: str, target: Path, extra: str = "", new_cell: str = ""):
    """A learner's notebook: the release version with every solution cell replaced by their function.

    ``extra`` is appended to every solution cell; ``new_cell`` becomes a cell of its own after the first.
    """
    tree = ast.parse(module_source)
    lines = module_source.splitlines()
    functions = {node.name: "\n".join(l for l in lines[node.lineno - 1:node.end_lineno]
                                      if l.strip() not in (BEGIN, END))
                 for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    notebook = json.loads(release_notebook.read_text())
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            function = meta["grade_id"].split("-", 1)[1]
            cell["source"] = functions.get(function, cell["source"] if isinstance(cell["source"], str)
                                           else "".join(cell["source"])) + extra
    if new_cell:
        notebook["cells"].insert(1, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                     "source": new_cell})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory, sandbox):
    course = tmp_path_factory.mktemp("course")
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "nbgrader", "--dist", str(course)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    course = course / "nbgrader"
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    for exercise in EXERCISES:  # the learner's version holds neither answers nor hidden checks
        content = (release / f"{exercise}.ipynb").read_text()
        assert "BEGIN SOLUTION" not in content and "BEGIN HIDDEN TESTS" not in content

    work = tmp_path_factory.mktemp("py")
    buggy = work / "buggy"  # two bugs: sgd never zeroes the gradients, mlp_backward forgets the 1/n
    build_buggy(BUGGY / "ex2_sgd_no_zero_grad.py", buggy)
    build_buggy(BUGGY / "ex3_mlp_backward_no_mean.py", work / "mlp")
    (buggy / "ex3_mlp_backprop.py").write_text((work / "mlp" / "ex3_mlp_backprop.py").read_text())
    stubs = work / "stubs"
    stubs.mkdir()
    for exercise in EXERCISES:
        (stubs / f"{exercise}.py").write_text(strip_solution((SOLUTIONS / f"{exercise}.py").read_text(), exercise))
    marker = tmp_path_factory.mktemp("outside") / "ran"
    writes_marker = f'open(r"{marker}", "w").write("ran")\n'
    # student -> (the exercise files the CLI grades, what is added to every solution cell, a cell of its own)
    students = {
        "correct": (SOLUTIONS, "", ""),
        "buggy": (buggy, "", ""),
        "stubs": (stubs, "", ""),
        "hostile": (stubs, FAKE_PASSES, ""),  # scores 0: a kernel's word counts for nothing
        "marker": (buggy, "\n" + writes_marker,  # none of this may run outside the sandbox
                   f"import pathlib\n{writes_marker}_ = pathlib.Path(r\"{marker}\").write_text(\"ran\")\n"),
    }
    for student, (folder, extra, new_cell) in students.items():
        for exercise in EXERCISES:
            target = course / "submitted" / student / ASSIGNMENT / f"{exercise}.ipynb"
            if student == "stubs":  # untouched release notebooks
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text((release / f"{exercise}.ipynb").read_text())
            else:
                fill(release / f"{exercise}.ipynb", (folder / f"{exercise}.py").read_text(), target, extra, new_cell)
    weak = [] if sandbox.level_now() == "namespaces" else ["--GradeInSandbox.allow_weak_sandbox=True"]
    nbgrader(course, "autograde", ASSIGNMENT, "--force", *weak)  # every student in one call
    return course, {student: folder for student, (folder, _, _) in students.items()}, marker


@pytest.mark.slow
def test_gradebook_scores_equal_the_command_line(graded_course, grade_path):
    from nbgrader.api import Gradebook

    course, sources, _ = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, folder in sources.items():
            submission = gradebook.find_submission(ASSIGNMENT, student)
            in_nbgrader = {nb.name: nb.score for nb in submission.notebooks}
            report = grade_path(folder)
            on_cli = {e: sum(t.score for t in report.tests if t.exercise == e) for e in EXERCISES}
            assert in_nbgrader == on_cli, (student, in_nbgrader, on_cli)
            assert submission.max_score == MAX
    expected = {"correct": MAX, "stubs": 0, "hostile": 0}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, total in expected.items():
            assert gradebook.find_submission(ASSIGNMENT, student).score == total, student
        assert 0 < gradebook.find_submission(ASSIGNMENT, "buggy").score < MAX


@pytest.mark.slow
def test_no_submitted_code_runs_outside_the_sandbox(graded_course):
    _, _, marker = graded_course
    assert not marker.exists()


@pytest.mark.slow
def test_autograded_notebooks_show_the_feedback(graded_course):
    course, _, _ = graded_course

    def test_cells(student, exercise):
        notebook = json.loads((course / "autograded" / student / ASSIGNMENT / f"{exercise}.ipynb").read_text())
        return [cell for cell in notebook["cells"] if cell.get("metadata", {}).get("nbgrader", {}).get("grade")]

    correct = test_cells("correct", "ex2_linear_regression")
    assert correct and all(cell["outputs"][0]["output_type"] == "stream" for cell in correct)
    assert all("".join(cell["outputs"][0]["text"]).startswith("Passed:") for cell in correct)
    failed = [cell["outputs"][0] for cell in test_cells("buggy", "ex2_linear_regression")
              if cell["outputs"][0]["output_type"] == "error"]
    assert failed and all(output["ename"] == "CheckNotPassed" for output in failed)
    hint = text(load_bug(BUGGY / "ex2_sgd_no_zero_grad.py")["HINT"])
    assert any(hint in output["evalue"] for output in failed)


@pytest.mark.slow
def test_grader_that_cannot_run_gives_no_points(graded_course, tmp_path):
    """Hidden checks without the reference solutions: nbgrader reports an error, the gradebook stays at 0."""
    from nbgrader.api import Gradebook

    course, _, _ = graded_course
    for exercise in EXERCISES:
        fill(course / "release" / ASSIGNMENT / f"{exercise}.ipynb", (SOLUTIONS / f"{exercise}.py").read_text(),
             course / "submitted" / "broken" / ASSIGNMENT / f"{exercise}.ipynb")
    run = nbgrader(course, "autograde", ASSIGNMENT, "--student", "broken", "--force",
                   env={"AUTOGRADER_SOLUTIONS": str(tmp_path)}, ok=False)
    assert run.returncode != 0
    assert "GradingUnavailable" in run.stdout + run.stderr
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "broken").score == 0


# ----------------------------------------------------------------- the preprocessor on its own


def test_config_replaces_only_nbgraders_execute_step():
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config import Config
    from traitlets.utils.importstring import import_item as resolve

    from autograder.channels.nbgrader_grade import GradeInSandbox
    from autograder.build.notebooks import CONFIG

    namespace = {"get_config": Config}
    exec(CONFIG, namespace)  # noqa: S102 - the kit's own config file
    configured = [resolve(name) for name in namespace["c"].Autograde.autograde_preprocessors]
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    assert configured == [GradeInSandbox if step is Execute else step for step in default]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_graded_module_imports_what_the_exercise_imports(exercise):
    """The course's own cells (the setup's `check`, the pictures' matplotlib) add no import to what is graded."""
    from autograder.channels.nbgrader_grade import is_test_cell
    from autograder.grading.notebook_cells import definitions
    from autograder.build.notebooks import build_notebook

    def imports(source):
        return {ast.unparse(node) for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))}

    cells = [cell.source for cell in build_notebook(exercise).cells if cell.cell_type == "code" and not is_test_cell(cell)]
    assert imports(definitions(cells)) == imports((SOLUTIONS / f"{exercise}.py").read_text())


def _notebook(solution: str, grade_ids: list[str]):
    from nbformat.v4 import new_code_cell, new_notebook

    meta = {"schema_version": 3, "task": False, "locked": True, "solution": False}
    cells = [new_code_cell("import numpy as np"),
             new_code_cell(solution, metadata={"nbgrader": {**meta, "grade": False, "solution": True,
                                                            "locked": False, "grade_id": "answer"}})]
    cells += [new_code_cell(f'check("{gid}")', metadata={"nbgrader": {**meta, "grade": True, "points": 1,
                                                                      "grade_id": gid}}) for gid in grade_ids]
    return new_notebook(cells=cells)


def test_preprocessor_scores_every_test_cell(sandbox, monkeypatch):
    from autograder.channels import nbgrader_grade

    monkeypatch.setattr(nbgrader_grade, "shared_sandbox", lambda: sandbox)
    source = (SOLUTIONS / "ex1_manual_gradients.py").read_text()
    dloss = next(ast.get_source_segment(source, node) for node in ast.parse(source).body
                 if isinstance(node, ast.FunctionDef) and node.name == "dloss")
    notebook = _notebook(dloss, ["ex1_manual_gradients-test_dloss_scalar",
                                 "ex1_manual_gradients-test_mse_grad_autograd",
                                 "ex1_manual_gradients-test_no_such_check", "no-id"])
    notebook, _ = nbgrader_grade.GradeInSandbox().preprocess(notebook, {"nbgrader": {"notebook": "ex1"}})
    passed, todo, unknown, malformed = [cell.outputs for cell in notebook.cells[2:]]
    assert [o.output_type for o in passed] == ["stream"] and passed[0].text.startswith("Passed:")
    assert [o.output_type for o in todo] == ["error"] and todo[0].ename == "CheckNotPassed"
    assert unknown[0].evalue == text("notebook.unknown_check", test="test_no_such_check")
    assert malformed[0].output_type == "error"
    assert notebook.cells[1].get("outputs") == []  # only the test cells get outputs


def test_preprocessor_fails_loudly_when_the_grader_breaks(monkeypatch):
    from autograder.channels import nbgrader_grade
    from autograder.grading import runner

    def broken(*args, **kwargs):
        raise runner.GraderError("the grading checks could not run")

    monkeypatch.setattr(runner, "grade", broken)
    notebook = _notebook("def dloss(w, x, y):\n    return 0.0", ["ex1_manual_gradients-test_dloss_scalar"])
    with pytest.raises(nbgrader_grade.GradingUnavailable, match="could not run"):
        nbgrader_grade.GradeInSandbox().preprocess(notebook, {"nbgrader": {"notebook": "ex1"}})
    assert notebook.cells[2].outputs == []


def test_preprocessor_refuses_a_weak_sandbox(monkeypatch):
    from autograder.channels import nbgrader_grade

    class Weak:
        refusal = "no user namespaces"

        def level_now(self):
            return "uid"

    monkeypatch.setattr(nbgrader_grade, "shared_sandbox", Weak)
    notebook = _notebook("def dloss(w, x, y):\n    return 0.0", ["ex1_manual_gradients-test_dloss_scalar"])
    with pytest.raises(nbgrader_grade.GradingUnavailable, match="allow_weak_sandbox"):
        nbgrader_grade.GradeInSandbox().preprocess(notebook, {"nbgrader": {"notebook": "ex1"}})
    assert notebook.cells[2].outputs == []


@pytest.mark.slow
def test_release_notebooks_name_no_hidden_check(graded_course):
    """What `nbgrader generate_assignment` releases holds no hidden check's name, title or call."""
    from autograder.build.bundles import hidden_names

    course, _, _ = graded_course
    names = hidden_names()
    for notebook in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb")):
        content = notebook.read_text()
        assert not [name for name in names if name in content], notebook.name
        assert "-hidden_" in content or notebook.stem not in {c.exercise for c in COURSE.checks
                                                              if c.visibility == "hidden"}


@pytest.mark.slow
def test_a_students_notebooks_are_graded_public_checks_first(graded_course, monkeypatch):
    """nbgrader autogrades notebook after notebook; GradeInSandbox grades the student's notebooks together at the
    first, so every public check of the assignment runs before any hidden one (as `autograde` runs it, in this
    process, recording the checks as the sandbox's session begins them)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.sandbox import client

    course, _, _ = graded_course
    ran = []
    begin = client.Session.begin_check
    monkeypatch.setattr(client.Session, "begin_check", lambda self, name: (ran.append(name), begin(self, name))[1])
    monkeypatch.chdir(course)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config, root=str(course)), config=config)
    outcome = api.autograde(ASSIGNMENT, "buggy", force=True)
    assert outcome["success"], outcome.get("log", "")[-3000:]
    visibility = {c.test_id: c.visibility for c in COURSE.checks}
    seen = [visibility[name] for name in ran]
    assert seen.count("hidden") == sum(v == "hidden" for v in visibility.values())  # every notebook, one run
    assert seen == sorted(seen, key=lambda v: v != "public"), seen

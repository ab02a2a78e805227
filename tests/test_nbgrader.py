"""The nbgrader course, graded by the real nbgrader, gives the same scores as `python -m autograder grade`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import EXERCISES
from autograder.stubs import BEGIN, END, strip_solution

from conftest import BUGGY, ROOT, SOLUTIONS, build_buggy

pytest.importorskip("nbgrader")
BIN = Path(sys.executable).parent
ASSIGNMENT = "backprop"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def fill(release_notebook: Path, module_source: str, target: Path):
    """A learner's notebook: the release version with every solution cell replaced by their function."""
    import ast

    tree = ast.parse(module_source)
    lines = module_source.splitlines()
    functions = {node.name: "\n".join(l for l in lines[node.lineno - 1:node.end_lineno]
                                      if l.strip() not in (BEGIN, END))
                 for node in tree.body if isinstance(node, ast.FunctionDef)}
    notebook = json.loads(release_notebook.read_text())
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            function = meta["grade_id"].split("-", 1)[1]
            cell["source"] = functions[function]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
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
    sources = {"correct": SOLUTIONS, "buggy": buggy, "stubs": stubs}
    for student, folder in sources.items():
        for exercise in EXERCISES:
            target = course / "submitted" / student / ASSIGNMENT / f"{exercise}.ipynb"
            if student == "stubs":  # untouched release notebooks
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text((release / f"{exercise}.ipynb").read_text())
            else:
                fill(release / f"{exercise}.ipynb", (folder / f"{exercise}.py").read_text(), target)
    nbgrader(course, "autograde", ASSIGNMENT, "--force")
    return course, sources


@pytest.mark.slow
def test_gradebook_scores_equal_the_command_line(graded_course, grade_path):
    from nbgrader.api import Gradebook

    course, sources = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, folder in sources.items():
            submission = gradebook.find_submission(ASSIGNMENT, student)
            in_nbgrader = {nb.name: nb.score for nb in submission.notebooks}
            report = grade_path(folder)
            on_cli = {e: sum(t.score for t in report.tests if t.exercise == e) for e in EXERCISES}
            assert in_nbgrader == on_cli, (student, in_nbgrader, on_cli)
            assert submission.max_score == 100
    expected = {"correct": 100, "stubs": 0}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, total in expected.items():
            assert gradebook.find_submission(ASSIGNMENT, student).score == total
        assert 0 < gradebook.find_submission(ASSIGNMENT, "buggy").score < 100

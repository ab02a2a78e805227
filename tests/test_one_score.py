"""One score in every channel: a fixed sample of tests/buggy/ (one fixture per exercise, and a syntax error in one
notebook cell) graded through the CLI (`grade --json`), Gradescope's run_autograder as root and the nbgrader
channel (GradeInSandbox on the course's notebooks) gets the same points for every check."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from autograder.course import registry
from autograder.course.stubs import BEGIN, END

from conftest import BUGGY, COURSE, ROOT, SOLUTIONS, build_buggy
from test_gradescope import autograder_zip, gradescope_root, run_autograder  # noqa: F401 - a fixture

pytest.importorskip("nbgrader")

# one per exercise: the first fixture of each, by name (a fixed sample: every fixture would take minutes)
SAMPLE = [sorted(BUGGY.glob(f"{exercise.split('_')[0]}_*.py"))[0].stem for exercise in registry.names()]
INDENTED = "syntax_error_in_a_cell"
TITLES = {(c.exercise, c.test_id): c.title for c in COURSE.checks}


def submission(name: str, folder):
    if name == INDENTED:
        folder.mkdir(parents=True)
        for exercise in registry.names():
            source = (SOLUTIONS / exercise).with_suffix(".py").read_text()
            if exercise == registry.names()[0]:  # one function's body indented by a space too many
                tree = ast.parse(source)
                node = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
                lines = source.splitlines()
                lines[node.end_lineno - 1] = " " + lines[node.end_lineno - 1]
                source = "\n".join(lines) + "\n"
            (folder / f"{exercise}.py").write_text(source)
    else:
        build_buggy(BUGGY / f"{name}.py", folder)
    return folder


def on_cli(folder) -> dict:
    out = folder.parent / f"{folder.name}.json"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return {t["name"]: t["score"] for t in json.loads(out.read_text())["tests"]}


def on_gradescope(folder, tmp_path, zip_path) -> dict:
    root = gradescope_root(tmp_path / f"gs-{folder.name}", zip_path)
    for path in folder.iterdir():
        (root / "submission" / path.name).write_bytes(path.read_bytes())
    return {t["name"]: t["score"] for t in run_autograder(root)["tests"]}


def notebook_of(exercise: str, module_source: str):
    """The course's notebook of ``exercise`` with each solution cell holding the learner's own function
    (the text as they wrote it: an unparseable function stays unparseable)."""
    from autograder.build.notebooks import build_notebook

    notebook = build_notebook(exercise)
    lines = module_source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(("def ", "class "))] + [len(lines)]
    functions = {lines[a].split()[1].split("(")[0].rstrip(":"): "\n".join(
        line for line in lines[a:b] if line.strip() not in (BEGIN, END)).rstrip() for a, b in zip(starts, starts[1:])}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            function = meta["grade_id"].split("-", 1)[1]
            cell.source = functions.get(function, cell.source)
    return notebook


def on_nbgrader(folder, sandbox) -> tuple[dict, list[str]]:
    from autograder.channels import nbgrader_grade

    scores, messages = {}, []
    for exercise in registry.names():
        notebook = notebook_of(exercise, (folder / f"{exercise}.py").read_text())
        notebook, _ = nbgrader_grade.GradeInSandbox().preprocess(notebook, {"nbgrader": {"notebook": exercise}})
        for cell in notebook.cells:
            if nbgrader_grade.is_test_cell(cell):
                key = nbgrader_grade.check_of(cell)
                passed = cell.outputs[0].output_type == "stream"
                scores[TITLES[key]] = float(cell.metadata["nbgrader"]["points"]) if passed else 0.0
                messages += [] if passed else [cell.outputs[0].evalue]
    return scores, messages


@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLE + [INDENTED])
def test_every_channel_gives_every_check_the_same_points(name, tmp_path, autograder_zip, sandbox, monkeypatch):  # noqa: F811
    from autograder.channels import nbgrader_grade

    monkeypatch.setattr(nbgrader_grade, "shared_sandbox", lambda: sandbox)
    folder = submission(name, tmp_path / name)
    cli = on_cli(folder)
    assert set(cli) == set(TITLES.values())
    assert on_gradescope(folder, tmp_path, autograder_zip) == cli
    notebook, messages = on_nbgrader(folder, sandbox)
    assert notebook == cli
    if name == INDENTED:  # the whole exercise costs, as in the CLI, and the message names the cell and line
        first = registry.names()[0]
        assert all(cli[TITLES[(first, c.test_id)]] == 0 for c in COURSE.checks if c.exercise == first)
        assert any("cannot read code cell" in m and "IndentationError" in m for m in messages), messages[:2]

"""The nbgrader mode of the attack campaign: attacks as learners' notebooks, read back from the real nbgrader.

:meth:`attack_kit.Campaign.run_nbgrader` builds one course, writes one student per attack with
:func:`write_notebook`, runs ``nbgrader generate_assignment`` and ``nbgrader autograde`` once each
(:func:`nbgrader`), then reads the gradebook (:func:`gradebook_scores`), the autograded notebooks'
outputs (:func:`cell_outputs`) and nbgrader's log (:func:`failed_students`, :func:`levels`).
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from autograder.course.stubs import BEGIN, END

ASSIGNMENT = "backprop"
BIN = Path(sys.executable).parent
SKIP_IN_SCANS = ("gradebook.db-journal",)


def _functions(module_source: str) -> dict[str, str]:
    """name -> text of each top-level function or class, without our BEGIN/END SOLUTION lines."""
    lines = module_source.splitlines()
    out = {}
    for node in ast.parse(module_source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            out[node.name] = "\n".join(line for line in lines[start - 1:node.end_lineno]
                                       if line.strip() not in (BEGIN, END))
    return out


def _code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": uuid.uuid4().hex[:12], "metadata": {}, "outputs": [],
            "source": source}


def write_notebook(release_notebook: Path, module_source: str, target: Path, *, prelude: str = "",
                   tail: str = "", comment: str = "") -> Path:
    """A learner's notebook: the release version with each solution cell holding that function of ``module_source``.

    ``prelude`` becomes a cell right after the setup cell, ``tail`` the last cell; ``comment`` is
    appended to every solution cell. A function of ``module_source`` that no solution cell holds but
    the release defines elsewhere (a locked cell, which nbgrader restores) is redefined in the tail.
    """
    functions = _functions(module_source)
    notebook = json.loads(release_notebook.read_text())
    placed, setup_at = set(), 0
    for index, cell in enumerate(notebook["cells"]):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id", "").endswith("-setup"):
            setup_at = index
        if meta.get("solution"):
            name = meta["grade_id"].split("-", 1)[1]
            if name in functions:
                cell["source"] = functions[name] + comment
                placed.add(name)
    release_source = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                               for c in notebook["cells"] if c["cell_type"] == "code")
    try:
        released = set(_functions(release_source))
    except SyntaxError:
        released = set()
    unplaced = [functions[name] for name in functions if name not in placed and name in released]
    if prelude:
        notebook["cells"].insert(setup_at + 1, _code_cell(prelude))
    tail = "\n\n\n".join(unplaced + ([tail] if tail else []))
    if tail:
        notebook["cells"].append(_code_cell(tail))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))
    return target


def nbgrader(course: Path, args: list[str], env: dict, campaign: str, timeout: float) -> tuple[int | None, str, str]:
    """Run ``nbgrader ARGS`` in ``course`` under a shell whose command line holds the campaign id.

    (Attacks touch only processes with such an ancestor.) On a timeout the whole process group is killed.
    """
    command = " ".join(f"'{a}'" for a in [str(BIN / "nbgrader"), *args]) + "; exit $?"
    proc = subprocess.Popen(["bash", "-c", command, f"atk-{campaign}"], cwd=course, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        return proc.returncode, stdout, stderr
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        stdout, stderr = proc.communicate()
        return None, stdout, stderr


def gradebook_scores(course: Path, students: list[str]) -> dict[str, dict | None]:
    """student -> {"notebooks": {exercise: score}, "grades": {grade_id: (score, max_score)}} (None: no submission)."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, dict | None] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission(ASSIGNMENT, student)
            except MissingEntry:
                out[student] = None
                continue
            out[student] = {
                "notebooks": {nb.name: float(nb.score) for nb in submission.notebooks},
                "grades": {grade.name: (float(grade.score), float(grade.max_score))
                           for nb in submission.notebooks for grade in nb.grades},
            }
    return out


def cell_outputs(notebook_path: Path) -> list[dict]:
    """The outputs of every cell of an autograded notebook (its sources are the learner's, not outputs)."""
    try:
        notebook = json.loads(notebook_path.read_text(errors="replace"))
    except (OSError, ValueError):
        return []
    found = []
    for cell in notebook.get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        for output in cell.get("outputs", []) or []:
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            found.append({"grade_id": grade_id, "type": output.get("output_type", ""), "text": text,
                          "ename": str(output.get("ename", "")), "evalue": str(output.get("evalue", "")),
                          "traceback": "\n".join(map(str, output.get("traceback", []) or []))})
    return found


def failed_students(log: str) -> set[str]:
    return set(re.findall(r"There was an error processing assignment '[^']*' for student '([^']*)'", log))


def levels(log: str) -> dict[str, str]:
    """student -> the sandbox level GradeInSandbox logged while autograding that student's notebooks."""
    found: dict[str, str] = {}
    student = ""
    for line in log.splitlines():
        match = re.search(r"/autograded/([^/]+)/" + ASSIGNMENT + "/", line)
        if match:
            student = match.group(1)
        match = re.search(r"in the sandbox \(level (\w+)\)", line)
        if match and student:
            found.setdefault(student, match.group(1))
    return found


def course_files(course: Path):
    for path in sorted(course.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.name not in SKIP_IN_SCANS:
            yield path


def verdicts(notebook_path: Path) -> dict[str, bool]:
    """grade_id -> whether the grader's output in that test cell says it passed (what the sandbox gave)."""
    found: dict[str, bool] = {}
    for output in cell_outputs(notebook_path):
        if output["grade_id"]:
            passed = output["type"] == "stream" and output["text"].startswith("Passed")
            found[output["grade_id"]] = found.get(output["grade_id"], True) and passed
    return found


def disagreements(course: Path, student: str, scores: dict | None, handed_in: list[str]) -> list[str]:
    """Where the gradebook's score of a test cell is not what the grader wrote in the autograded notebook.

    A passed cell must have its points, any other 0; a notebook not handed in scores 0.
    """
    if scores is None:
        return []
    found = []
    outputs: dict[str, bool] = {}
    for exercise in handed_in:
        outputs.update(verdicts(course / "autograded" / student / ASSIGNMENT / f"{exercise}.ipynb"))
    for grade_id, (score, max_score) in sorted(scores["grades"].items()):
        exercise = grade_id.partition("-")[0]
        expected = max_score if exercise in handed_in and outputs.get(grade_id, False) else 0.0
        if abs(score - expected) > 1e-9:
            found.append(f"{student}: {grade_id} scored {score:g} in the gradebook, the grader gave {expected:g}")
    return found


def graded_source(notebook_path: Path) -> str:
    """What the notebook channel grades of a notebook: definitions() of its code cells other than the test cells."""
    from autograder.grading.notebook_cells import definitions

    cells = []
    for cell in json.loads(notebook_path.read_text())["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and not (meta.get("grade") and not meta.get("solution")):
            cells.append("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
    return definitions(cells)

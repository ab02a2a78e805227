"""Adding an exercise is adding files: a toy exercise 5 in a copy of the kit reaches every channel.

``tests/toy_exercise/`` holds the files of a small exercise 5 (softmax and the cross-entropy loss, NumPy
only) at the paths the README's "Add an exercise" names. The test copies the kit (the package, the
solutions and the exercises; no .venv, no tests), adds those files without editing any file of the copy,
writes the stub with ``python -m autograder stubs``, and then checks, in the copy, that the reference scores
full marks and the stub zero, and that the student releases (both languages), the Gradescope bundle, the
nbgrader course and the batch's gradebook all carry exercise 5.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

TOY = Path(__file__).resolve().parent / "toy_exercise"
NAME = "ex5_softmax"
POINTS = {"softmax": 3.0, "cross_entropy": 2.0}  # public + hidden, as tests/toy_exercise's checks declare
HIDDEN = {"softmax": 1.0, "cross_entropy": 1.0}

# Run in the copy, in one process (one torch import): grade, build every channel, run a batch.
DRIVER = r'''
import json, shutil, sys
from pathlib import Path

from autograder.build import bundles
from autograder.build.notebooks import build_course
from autograder.channels.batch import run_batch
from autograder.course import registry
from autograder.grading.runner import grade
from autograder.grading.sandboxes import course_sandbox

root = Path.cwd()
course = registry.course(include_hidden=True)
out = {"package": str(Path(registry.__file__).resolve().parent.parent), "names": list(course.names),
       "max": course.max_score, "points": {e.name: e.points for e in course.exercises}}
with course_sandbox() as sandbox:
    for who in ("solutions", "exercises"):
        report = grade(root / who, sandbox=sandbox)
        out[who] = {"score": report.score, "max": report.max_score,
                    "ex5": [[t.function, t.visibility, t.score, t.max_score, t.status] for t in report.tests
                            if t.exercise == "ex5_softmax"]}
dist = root / "dist"
out["releases"] = [str(p) for p in bundles.build_releases(dist)]
out["gradescope"] = str(bundles.build_gradescope(dist, allow_weak_sandbox=True))
out["nbgrader"] = str(build_course(dist / "nbgrader", lang="en"))
klass = root / "class"
shutil.copytree(root / "solutions", klass / "ada")
shutil.copytree(root / "exercises", klass / "bob")
out["batch"] = [dict(row) for row in run_batch(klass, root / "grades.csv", jobs=1, progress=False, allow_weak=True)]
print(json.dumps(out))
'''


def _digests(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_SOLUTIONS", "PYTHONPATH")}
    env["AUTOGRADER_LANG"] = "en"
    run = subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The copy of the kit with exercise 5 added: (its folder, the driver's findings, `stubs`' output)."""
    copy = tmp_path_factory.mktemp("kit")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "grader_secret", ".grader_secret.*")
    for folder in ("autograder", "solutions", "exercises", "scripts"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=ignore)
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copyfile(ROOT / name, copy / name)
    before = _digests(copy)
    added = [path.relative_to(TOY) for path in sorted(TOY.rglob("*"))
             if path.is_file() and path.name != "conftest.py" and "__pycache__" not in path.parts]
    for relative in added:  # new files only: none of them exists in the kit
        assert not (copy / relative).exists(), f"{relative} is not a new file"
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TOY / relative, copy / relative)
    stubs = _run(copy, "-m", "autograder", "stubs").stdout
    limits = _run(copy, "scripts/calibrate.py", "--limits", "--exercise", "ex5").stdout
    assert limits.split() == ["wrote", f"autograder/checks/limits/{NAME}.json"], limits
    findings = json.loads(_run(copy, "-c", DRIVER).stdout.splitlines()[-1])
    after = _digests(copy)
    changed = sorted(name for name, digest in before.items() if after.get(name) != digest)
    assert not changed, f"adding the exercise changed files of the kit: {changed}"
    return copy, findings, stubs


def test_the_toy_exercise_is_a_set_of_new_files():
    names = {path.relative_to(TOY).as_posix() for path in TOY.rglob("*") if path.is_file()
             and path.name != "conftest.py" and "__pycache__" not in path.parts}
    assert f"solutions/{NAME}.py" in names and "autograder/checks/public/test_ex5.py" in names
    assert f"autograder/messages/zh_CN/docstrings/{NAME}.toml" in names
    assert not any((ROOT / name).exists() for name in names), "exercise 5 is part of the kit itself now"


def test_make_stubs_writes_the_new_stub_without_asking(kit):
    copy, _, stubs = kit
    assert f"exercises/{NAME}.py: created" in stubs, stubs
    assert "NOT overwritten" not in stubs, stubs
    assert sorted(p.name for p in (copy / "exercises").iterdir()) == sorted(
        p.name for p in (copy / "solutions").glob("ex*.py")), "exercises/ holds the exercises and nothing else"
    stub = (copy / "exercises" / f"{NAME}.py").read_text(encoding="utf-8")
    assert stub.count("raise NotImplementedError") == 2 and "np.log(picked)" not in stub


def test_its_time_limits_are_its_own_file(kit):
    copy, _, _ = kit  # (and the fixture showed that no other exercise's file changed)
    table = json.loads((copy / "autograder" / "checks" / "limits" / f"{NAME}.json").read_text(encoding="utf-8"))
    assert {"import", *POINTS} <= set(table["seconds"]), table
    assert all(0 < seconds < 5 for seconds in table["seconds"].values()), table


def test_the_copy_grades_its_own_package(kit):
    copy, findings, _ = kit
    assert Path(findings["package"]) == (copy / "autograder").resolve()
    assert findings["names"][-1] == NAME


def test_the_reference_scores_full_and_the_stub_zero(kit):
    _, findings, _ = kit
    assert findings["points"][NAME] == sum(POINTS.values())
    solved, stubbed = findings["solutions"], findings["exercises"]
    assert solved["score"] == solved["max"] == findings["max"]
    assert len(solved["ex5"]) == 4 and all(status == "passed" for *_, status in solved["ex5"]), solved["ex5"]
    assert stubbed["score"] == 0 and len(stubbed["ex5"]) == 4
    assert all(score == 0 for _, _, score, _, _ in stubbed["ex5"])


def test_the_student_releases_carry_it(kit):
    copy, findings, _ = kit
    assert len(findings["releases"]) == 2
    for name in ("student", "student-zh_CN"):
        release = copy / "dist" / name
        exercise = (release / "exercises" / f"{NAME}.py").read_text(encoding="utf-8")
        assert "raise NotImplementedError" in exercise and "np.log(picked)" not in exercise
        assert (release / "autograder" / "checks" / "public" / "test_ex5.py").is_file()
        assert not (release / "autograder" / "checks" / "hidden").exists()
        table = json.loads((release / "autograder" / "checks" / "hidden_points" / f"{NAME}.json").read_text())
        assert table == HIDDEN
        if name == "student-zh_CN":
            assert "按行对一批 logits 计算 softmax" in exercise, "the Chinese release has the Chinese docstrings"
        with zipfile.ZipFile(copy / "dist" / f"{name}.zip") as zf:
            assert f"{name}/exercises/{NAME}.py" in zf.namelist()


def test_the_gradescope_bundle_carries_it(kit):
    _, findings, _ = kit
    with zipfile.ZipFile(findings["gradescope"]) as zf:
        names = zf.namelist()
    for wanted in (f"solutions/{NAME}.py", "autograder/checks/public/test_ex5.py",
                   "autograder/checks/hidden/test_ex5.py", f"autograder/messages/zh_CN/{NAME}.toml"):
        assert any(name.endswith(wanted) for name in names), (wanted, names[:20])


def test_the_nbgrader_course_carries_it(kit):
    _, findings, _ = kit
    notebooks = sorted((Path(findings["nbgrader"]) / "source").rglob("*.ipynb"))
    assert NAME in [path.stem for path in notebooks]
    cells = json.loads(next(p for p in notebooks if p.stem == NAME).read_text(encoding="utf-8"))["cells"]
    ids = {cell["metadata"].get("nbgrader", {}).get("grade_id", "") for cell in cells}
    assert any("softmax" in grade_id for grade_id in ids) and any("cross_entropy" in grade_id for grade_id in ids)
    assert any("Exercise 5: softmax and the cross-entropy loss" in "".join(cell["source"]) for cell in cells)


def test_the_batch_gradebook_has_its_column(kit):
    copy, findings, _ = kit
    with (copy / "grades.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {row["student"]: row for row in reader}
        header = reader.fieldnames
    assert header[:len(findings["names"]) + 1] == ["student", *findings["names"]]
    assert float(rows["ada"][NAME]) == sum(POINTS.values()) and float(rows["ada"]["total"]) == findings["max"]
    assert float(rows["bob"][NAME]) == 0


def test_the_kits_language_tests_take_it_unedited(kit):
    """tests/test_languages.py, run in the copy, finds exercise 5's texts and Chinese check titles by itself."""
    copy, _, _ = kit
    (copy / "tests").mkdir(exist_ok=True)
    for name in ("conftest.py", "test_languages.py"):
        shutil.copyfile(ROOT / "tests" / name, copy / "tests" / name)
    run = _run(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_languages.py",
               "-k", "chinese_title or same_fields or no_space")
    assert " passed" in run.stdout and "failed" not in run.stdout, run.stdout


def test_the_readme_lists_every_file_the_toy_exercise_adds():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Add an exercise"):]
    section = re.split(r"\n#{1,3} ", section[1:], maxsplit=1)[0]  # up to the next heading
    files = [path.relative_to(TOY).as_posix() for path in sorted(TOY.rglob("*")) if path.is_file()
             and path.name != "conftest.py" and "__pycache__" not in path.parts]
    files += [f"exercises/{NAME}.py", f"autograder/checks/limits/{NAME}.json"]  # what make stubs and calibrate write
    missing = [name for name in files if f"| `{name}` |" not in section]
    assert not missing, f"the README's 'Add an exercise' does not list {missing}"
    for rule in ("[ex5.title]", "stubs.answer_leaks", "--limits --exercise ex5", ".stubs/backup/"):
        assert rule in section, rule

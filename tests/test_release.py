"""The student release holds no solution, and `make grade` works inside it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.course import registry
from autograder.course.stubs import BEGIN, END

from conftest import MAX, ROOT, SOLUTIONS

EXERCISES = registry.names()  # discovered from the files, never listed here

VENV = Path(sys.executable).parent.parent  # reuse the kit's environment (make grade VENV=...)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "release", "--dist", str(dist)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    unpacked = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(dist / "student.zip") as zf:
        zf.extractall(unpacked)
    for path in (unpacked / "student").rglob("*"):  # zipfile drops the modes
        if path.is_file():
            path.chmod(0o644)
    return unpacked / "student"


def test_release_holds_no_solution(release):
    """No solutions folder, no hidden check, no solution marker; the learner's files are there. (What the
    release may hold of the answers' lines is tests/test_no_answer_in_release.py's one rule.)"""
    files = {p.relative_to(release).as_posix(): p for p in release.rglob("*") if p.is_file()}
    assert not any(name.startswith("solutions/") for name in files)
    assert not any("checks/hidden/" in name for name in files), "hidden checks in the release"
    assert "autograder/course/reference.py" not in files or "solutions" not in files
    for name in ("Makefile", "README.md", "requirements.txt", "constraints.txt"):
        assert name in files, name
    for exercise in EXERCISES:
        assert f"exercises/{exercise}.py" in files
    for name, path in files.items():
        content = path.read_text(errors="ignore")
        assert BEGIN not in content and END not in content, f"solution marker in {name}"


def _make_grade(release, submission="exercises"):
    return subprocess.run(["make", "--no-print-directory", "grade", f"VENV={VENV}", f"SUBMISSION={submission}"],
                          cwd=release, capture_output=True, text=True, timeout=600)


def test_make_grade_on_the_stubs(release):
    run = _make_grade(release)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "TOTAL: 0 /" in run.stdout and "TODO" in run.stdout, run.stdout
    assert "(hidden)" not in run.stdout


def test_make_grade_on_a_correct_submission(release, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for exercise in EXERCISES:
        (work / f"{exercise}.py").write_text((SOLUTIONS / f"{exercise}.py").read_text())
    run = _make_grade(release, str(work))
    assert run.returncode == 0, run.stdout + run.stderr
    from autograder.build.bundles import hidden_points, hidden_points_by_function

    hidden = hidden_points()
    public = MAX - hidden
    assert f"TOTAL: {public:g} / {public:g} points" in run.stdout, run.stdout
    assert f"A further {hidden:g} points are checked only after you submit" in run.stdout, run.stdout
    by_function = hidden_points_by_function()  # per exercise, which functions have how many hidden points
    assert by_function and sum(sum(f.values()) for f in by_function.values()) == hidden
    squashed = "".join(run.stdout.split())  # the report may wrap long lines
    for exercise, functions in by_function.items():
        listed = ", ".join(f"{function} ({points:g} pt)" for function, points in functions.items())
        assert "".join(f"{exercise}: {listed}".split()) in squashed, run.stdout
    readme = (release / "README.md").read_text()
    for exercise, functions in by_function.items():
        for function, points in functions.items():
            assert f"| `{exercise}` | `{function}` | {points:g} |" in readme, (exercise, function)


def test_make_submission_packs_a_gradable_zip(release, grade_path):
    run = subprocess.run(["make", "--no-print-directory", "submission"], cwd=release, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = grade_path(release / "submission.zip")
    assert report.max_score == MAX and report.score == 0
    assert not report.notes, report.notes  # all three files found

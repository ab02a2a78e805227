"""The reference scores full marks, the stubs 0, and the report and JSON follow the contract."""

from __future__ import annotations

import json
import subprocess
import sys

from autograder.course import registry
from autograder.course.stubs import strip_solution

from conftest import MAX, POINTS, ROOT, SOLUTIONS

EXERCISES = registry.names()  # discovered from the files, never listed here

TEST_KEYS = {"name", "exercise", "function", "score", "max_score", "status", "visibility", "message", "hint"}


def write_stubs(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in EXERCISES:
        source = (SOLUTIONS / f"{name}.py").read_text()
        (folder / f"{name}.py").write_text(strip_solution(source, name))
    return folder


def test_reference_scores_full_marks(grade_path):
    report = grade_path(SOLUTIONS)
    failures = [(t.name, t.status, t.message) for t in report.tests if t.status != "passed"]
    assert report.score == MAX and report.max_score == MAX, failures


def test_stubs_score_0_and_say_not_implemented(tmp_path, grade_path):
    report = grade_path(write_stubs(tmp_path / "stubs"))
    assert report.score == 0 and report.max_score == MAX, report.score
    assert all(t.status == "failed" and t.not_implemented for t in report.tests), [
        (t.name, t.status, t.message) for t in report.tests if not t.not_implemented]
    assert all("not implemented yet" in t.message and "Traceback" not in t.message for t in report.tests)
    rendered = report.render("stubs")
    assert "TODO" in rendered and f"TOTAL: 0 / {MAX:g} points" in rendered, rendered


def test_same_submission_same_score(tmp_path, grade_path):
    """Two gradings of a shuffling-sensitive submission give identical JSON."""
    from conftest import build_buggy, BUGGY

    folder = tmp_path / "bug"
    build_buggy(BUGGY / "ex2_train_last_batch_loss.py", folder)
    first, second = grade_path(folder).to_dict(), grade_path(folder).to_dict()
    assert first == second


def test_cli_json_schema_and_report(tmp_path):
    """`python -m autograder grade PATH --json FILE` prints the report and writes the exact schema."""
    out = tmp_path / "r.json"
    stubs = write_stubs(tmp_path / "stubs")
    ex1 = (SOLUTIONS / "ex1_manual_gradients.py").read_text()
    (stubs / "ex1_manual_gradients.py").write_text(ex1)  # one exercise solved
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(stubs), "--json", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    for exercise in EXERCISES:
        assert exercise in run.stdout
    ex1 = POINTS["ex1_manual_gradients"]
    assert f"TOTAL: {ex1:g} / {MAX:g} points" in run.stdout, run.stdout
    data = json.loads(out.read_text())
    assert set(data) == {"score", "max_score", "isolation", "tests"}
    assert data["isolation"] in {"namespaces", "uid", "none"} and f"Sandbox: {data['isolation']}" in run.stdout
    assert isinstance(data["score"], float) and data["score"] == ex1 and data["max_score"] == MAX
    for test in data["tests"]:
        assert set(test) == TEST_KEYS, test
        assert test["exercise"] in EXERCISES and test["status"] in {"passed", "failed", "error", "timeout"}
        assert test["visibility"] in {"public", "hidden"}
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert all(isinstance(test[k], str) for k in ("name", "function", "message"))
    assert sum(t["max_score"] for t in data["tests"]) == MAX


def test_cli_rejects_a_missing_path(tmp_path):
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "nope")],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 2 and "does not exist" in run.stderr, run.stderr


def test_one_check_alone_scores_as_in_the_full_run(tmp_path, grade_path):
    """Seeds depend only on the check, not on what ran before it (nbgrader runs checks one by one)."""
    from conftest import build_buggy, BUGGY

    folder = tmp_path / "bug"
    build_buggy(BUGGY / "ex2_train_last_batch_loss.py", folder)
    # the message itself, not where it sends the learner: that depends on which other checks fail
    # ("`train` uses `sgd`, which fails its own check"), so it is compared without its last line
    full = {t.test_id: (t.score, t.core) for t in grade_path(folder).tests}
    assert full["test_train_losses"][0] < 2 and full["test_train_losses"][1], full["test_train_losses"]
    for test_id in ("test_train_losses", "test_train_converges", "test_data_iter_shuffles", "test_fit_line_seeded_shuffle"):
        alone = grade_path(folder, only={test_id}).tests
        assert [(t.score, t.core) for t in alone] == [full[test_id]], test_id


def test_sandbox_texts_exist_in_english_and_chinese():
    """The learner-facing texts of the sandbox and of staging read in both languages (same fields)."""
    import re
    import string

    from autograder.messages import _load

    english, chinese = _load("en"), _load("zh_CN")
    keys = [k for k in english if k.startswith(("isolation.", "submission.refused_"))] + [
        "report.isolation", "submission.unreadable", "submission.too_many_files",
        "status.timeout_budget", "status.numpy_only"]
    for key in keys:
        assert key in chinese, key
        assert re.search(r"[\u4e00-\u9fff]", chinese[key]), key
        fields = {name for _, name, _, _ in string.Formatter().parse(english[key]) if name}
        assert fields == {name for _, name, _, _ in string.Formatter().parse(chinese[key]) if name}, key
    # only check titles are Chinese-only: their English is the check's docstring
    assert {k for k in set(chinese) - set(english) if not re.match(r"ex\d+\.title\.", k)} == set()

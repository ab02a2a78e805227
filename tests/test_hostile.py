"""Hostile and broken submissions cost only the checks they touch, and say what happened."""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.messages import text

from conftest import MAX, SOLUTIONS, copy_solutions, splice

EX1, EX2, EX3 = "ex1_manual_gradients", "ex2_linear_regression", "ex3_mlp_backprop"


def by_exercise(report):
    totals = {}
    for test in report.tests:
        got, out_of = totals.get(test.exercise, (0.0, 0.0))
        totals[test.exercise] = (got + test.score, out_of + test.max_score)
    return totals


def full_marks(report, exercise):
    got, out_of = by_exercise(report)[exercise]
    return got == out_of


def prepend(path: Path, code: str):
    path.write_text(code + "\n" + path.read_text())


def test_os_exit_at_import_costs_only_that_exercise(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    prepend(sub / f"{EX1}.py", "import os\nos._exit(3)")
    report = grade_path(sub)
    ex1 = [t for t in report.tests if t.exercise == EX1]
    assert all(t.status == "error" and t.score == 0 for t in ex1), [t.status for t in ex1]
    assert "could not be imported" in ex1[0].message and "stopped abruptly" in ex1[0].message, ex1[0].message
    assert full_marks(report, EX2) and full_marks(report, EX3), by_exercise(report)


def test_sys_exit_in_a_function(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    (sub / f"{EX3}.py").write_text(splice((sub / f"{EX3}.py").read_text(),
                                          "def relu(z):\n    import sys\n    sys.exit(0)\n"))
    report = grade_path(sub)
    relu = [t for t in report.tests if t.function == "relu"]
    assert relu and all(t.status == "error" for t in relu), relu
    assert text("status.exit", function="relu") in relu[0].message
    assert full_marks(report, EX1) and full_marks(report, EX2)


def test_infinite_loop_is_stopped_and_costs_only_its_function(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    (sub / f"{EX1}.py").write_text(splice((sub / f"{EX1}.py").read_text(),
                                          "def dloss(w, x, y):\n    while True:\n        pass\n"))
    report = grade_path(sub)
    dloss = [t for t in report.tests if t.function == "dloss"]
    assert dloss and all(t.status == "timeout" and t.score == 0 for t in dloss), [t.status for t in dloss]
    others = [t for t in report.tests if t.exercise == EX1 and t.function != "dloss"]
    assert all(t.status == "passed" for t in others), [(t.name, t.message) for t in others if t.status != "passed"]
    assert full_marks(report, EX2) and full_marks(report, EX3)


def test_infinite_loop_at_import(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    prepend(sub / f"{EX2}.py", "while True:\n    pass")
    report = grade_path(sub)
    ex2 = [t for t in report.tests if t.exercise == EX2]
    assert all(t.score == 0 for t in ex2)
    assert "did not finish within" in ex2[0].message, ex2[0].message
    assert full_marks(report, EX1) and full_marks(report, EX3)


def test_syntax_error_names_file_and_line(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    lines = (sub / f"{EX3}.py").read_text().splitlines()
    at = lines.index("import numpy as np") + 1
    lines.insert(at, "def broken(:")
    (sub / f"{EX3}.py").write_text("\n".join(lines) + "\n")
    report = grade_path(sub)
    ex3 = [t for t in report.tests if t.exercise == EX3]
    assert all(t.status == "error" and t.score == 0 for t in ex3)
    assert f"{EX3}.py" in ex3[0].message and f"line {at + 1}" in ex3[0].message, ex3[0].message
    assert full_marks(report, EX1) and full_marks(report, EX2)


def test_output_flood_changes_nothing(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    prepend(sub / f"{EX1}.py", "import sys\nfor _ in range(20000):\n    print('x' * 500)\n    sys.stderr.write('y' * 500)")
    report = grade_path(sub)
    assert report.score == MAX, [(t.name, t.message) for t in report.tests if t.status != "passed"]


def test_monkeypatched_numpy_and_torch_change_nothing(tmp_path, grade_path):
    """Wrong code that patches the comparison functions still loses the points."""
    sub = copy_solutions(tmp_path / "s")
    patch_np = (
        "import numpy\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), bool)\n"
        "numpy.array_equal = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
    )
    prepend(sub / f"{EX1}.py", patch_np)
    (sub / f"{EX1}.py").write_text(splice((sub / f"{EX1}.py").read_text(), "def dloss(w, x, y):\n    return 0 * x\n"))
    patch_torch = (
        "import torch\n"
        "torch.allclose = lambda *a, **k: True\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)\n"
    )
    prepend(sub / f"{EX2}.py", patch_torch)
    (sub / f"{EX2}.py").write_text(splice((sub / f"{EX2}.py").read_text(),
                                          "def linreg(X, w, b):\n    return X @ w\n"))
    report = grade_path(sub)
    assert all(t.score == 0 for t in report.tests if t.function == "dloss")
    assert any(t.score == 0 for t in report.tests if t.function == "linreg")
    assert full_marks(report, EX3)


def test_planted_conftest_and_sitecustomize_change_nothing(tmp_path, grade_path):
    sub = tmp_path / "s"
    sub.mkdir()
    from autograder.course.stubs import strip_solution

    for path in SOLUTIONS.glob("ex*.py"):
        (sub / path.name).write_text(strip_solution(path.read_text(), path.stem))
    marker = tmp_path / "planted-code-ran"
    planted = (
        "import pathlib, pytest\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    outcome.get_result().outcome = 'passed'\n"
    )
    for name in ("conftest.py", "sitecustomize.py", "usercustomize.py"):
        (sub / name).write_text(planted)
    (sub / "numpy.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    report = grade_path(sub)
    assert report.score == 0, report.score
    assert not marker.exists(), "code planted next to the submission was executed"


def test_zip_submission_in_a_subfolder(tmp_path, grade_path):
    archive = tmp_path / "work.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in SOLUTIONS.glob("ex*.py"):
            zf.write(path, f"my-work/exercises/{path.name}")
        zf.writestr("my-work/conftest.py", "raise SystemExit('planted')\n")
    report = grade_path(archive)
    assert report.score == MAX, [(t.name, t.message) for t in report.tests if t.status != "passed"]


def test_missing_and_empty_submissions(tmp_path, grade_path):
    sub = tmp_path / "s"
    sub.mkdir()
    (sub / f"{EX2}.py").write_text((SOLUTIONS / f"{EX2}.py").read_text())
    report = grade_path(sub)
    assert full_marks(report, EX2)
    assert by_exercise(report)[EX1][0] == 0 and by_exercise(report)[EX3][0] == 0
    assert any(f"{EX1}.py" in note for note in report.notes), report.notes
    empty = tmp_path / "empty"
    empty.mkdir()
    assert grade_path(empty).score == 0


def test_huge_return_value_is_refused(tmp_path, grade_path):
    sub = copy_solutions(tmp_path / "s")
    (sub / f"{EX3}.py").write_text(splice((sub / f"{EX3}.py").read_text(),
                                          "def relu(z):\n    return np.zeros(50_000_000)\n"))
    report = grade_path(sub)
    relu = [t for t in report.tests if t.function == "relu"]
    assert relu and all(t.score == 0 for t in relu)
    assert full_marks(report, EX1)


def test_whole_submission_time_budget(tmp_path, grade_path):
    """Endless loops cannot hold the grader for longer than the submission's wall-clock budget."""
    from autograder.sandbox.client import Limits

    sub = copy_solutions(tmp_path / "s")
    loops = "".join(f"def {name}(*args, **kwargs):\n    while True:\n        pass\n\n\n"
                    for name in ("dloss", "mse_grad", "numerical_grad"))
    (sub / f"{EX1}.py").write_text(splice((sub / f"{EX1}.py").read_text(), loops))
    limits = Limits(call_seconds=1.0, import_seconds=3.0, submission_seconds=2.5)
    report = grade_path(sub, limits=limits)
    budget = [t for t in report.tests if text("status.timeout_budget", seconds="2.5") in t.message]
    # (an exercise whose import was cut short reads "could not be imported", with the budget as the cause)
    assert budget and all(t.status in ("timeout", "error") and t.score == 0 for t in budget), \
        [(t.name, t.status, t.message[:80]) for t in report.tests]
    assert any(t.status == "timeout" for t in budget) and any(t.exercise == EX3 for t in budget)  # later exercises are not run once the budget is spent


def test_code_nested_too_deep_to_parse_costs_only_its_file(tmp_path, grade_path):
    """An expression nested 20 000 deep: Python cannot compile the file (RecursionError), and the grader's
    own reading of it (where each function starts, who calls whom) must not fail on it either."""
    sub = copy_solutions(tmp_path / "s")
    (sub / f"{EX1}.py").write_text((sub / f"{EX1}.py").read_text() + "\n\ndef bomb():\n    return "
                                   + "+".join(["1"] * 20_000) + "\n")
    report = grade_path(sub)
    assert not [t.debug for t in report.tests if t.debug], "the grader failed on the file"
    ex1 = [t for t in report.tests if t.exercise == EX1]
    assert all(t.status == "error" and t.score == 0 for t in ex1), [t.status for t in ex1]
    assert "could not be imported" in ex1[0].message and "RecursionError" in ex1[0].message, ex1[0].message
    assert full_marks(report, EX2) and full_marks(report, EX3), by_exercise(report)


def test_a_notebook_cell_nested_too_deep_to_parse_is_left_out():
    from autograder.grading.notebook_cells import definitions

    source = definitions(["def bomb():\n    return " + "+".join(["1"] * 20_000), "def f(x):\n    return x\n"])
    assert "def f(x):" in source and "bomb" not in source, source[:200]

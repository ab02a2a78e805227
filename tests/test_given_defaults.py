"""fit_mlp's hidden check calls it with every argument left out (2000 epochs): the only run long enough to see a
loop that stops early, and the one that sees defaults changed however the file changes them. ``given_defaults``
reads the def line (never run) only to name the cause when that run fails; the fixture
tests/buggy/ex3_fit_mlp_default_epochs.py is graded with that cause in test_buggy_submissions.py."""

import pytest

from autograder.checking import given_defaults

from conftest import SOLUTIONS, copy_solutions

EX3 = "ex3_mlp_backprop"
GIVEN = {"hidden": 16, "lr": 0.5, "epochs": 2000, "activation": "sigmoid", "seed": 0}
SOLUTION = (SOLUTIONS / f"{EX3}.py").read_text()
DEF = 'def fit_mlp(X, y, hidden=16, lr=0.5, epochs=2000, activation="sigmoid", seed=0):'


class Files:
    """What ``given_defaults`` reads of a session: its files by module name."""

    def __init__(self, source: str | bytes):
        self.files = {EX3: source if isinstance(source, bytes) else source.encode()}


def read(source: str | bytes):
    return given_defaults(Files(source), EX3, "fit_mlp")


@pytest.mark.parametrize(
    "def_line, defaults",
    [
        (DEF, GIVEN),
        (DEF.replace("epochs=2000", "epochs=200"), {**GIVEN, "epochs": 200}),
        (DEF.replace("epochs=2000", "epochs=2_000"), GIVEN),
        (DEF.replace("seed=0", "seed=-1"), {**GIVEN, "seed": -1}),
        (DEF.replace("seed=0", "*, seed=0"), GIVEN),  # keyword-only
        (DEF.replace("seed=0)", "seed=0, verbose=False)"), {**GIVEN, "verbose": False}),
        (DEF.replace("epochs=2000", "epochs=2 * 1000"), {k: v for k, v in GIVEN.items() if k != "epochs"}),  # not read
        (DEF.replace("epochs=2000", "epochs=EPOCHS"), {k: v for k, v in GIVEN.items() if k != "epochs"}),
    ],
)
def test_the_def_line_is_read_as_written(def_line, defaults):
    assert DEF in SOLUTION
    assert read(SOLUTION.replace(DEF, def_line)) == defaults


def test_the_last_definition_counts_and_the_file_is_read_as_python_reads_it():
    assert read(SOLUTION + "\n\ndef fit_mlp(X, y, epochs=5):\n    return None\n") == {"epochs": 5}
    assert read(b"\xef\xbb\xbf" + SOLUTION.encode()) == GIVEN  # a byte-order mark
    assert read("x = (\n") is None
    assert read("def other():\n    pass\n") is None


@pytest.mark.parametrize(
    "change, reason",
    [
        (("", "\nfit_mlp.__defaults__ = (16, 0.5, 20, 'sigmoid', 0)\n"), "defaults changed behind the def line"),
        (("", "\nimport functools\nfit_mlp = functools.partial(fit_mlp, epochs=20)\n"), "the name bound again"),
        (("for _ in range(epochs):", "for _ in range(min(epochs, 500)):"), "a loop that stops at 500 epochs"),
    ],
)
def test_what_only_the_run_with_every_default_sees_loses_its_points(tmp_path, grade_path, change, reason):
    old, new = change
    source = SOLUTION.replace(old, new, 1) if old else SOLUTION + new
    assert source != SOLUTION and read(source) == GIVEN, "the def line reads right: only the run can tell"
    folder = copy_solutions(tmp_path / "s")
    (folder / f"{EX3}.py").write_text(source)
    report = grade_path(folder, only={"test_fit_mlp_reference_loss", "test_fit_mlp_learns"})
    scores = {t.name.split(":")[1].strip(): (t.status, t.score) for t in report.tests}
    assert scores["the reference's steps on a hidden nonlinear target"] == ("failed", 0), (reason, scores)
    assert scores["full-batch gradient descent, loss for loss and step for step, for either activation"][0] == (
        "passed"
    ), f"{reason}: every run with its arguments given passes; the hidden check's own run must catch it"


@pytest.mark.parametrize("def_line", [DEF.replace("epochs=2000", "epochs=200"), DEF.replace("epochs=2000", "epochs=2e3")])
def test_a_changed_def_line_is_the_cause_whether_the_run_goes_wrong_or_raises(tmp_path, grade_path, def_line):
    folder = copy_solutions(tmp_path / "s")
    (folder / f"{EX3}.py").write_text(SOLUTION.replace(DEF, def_line))
    report = grade_path(folder, only={"test_fit_mlp_reference_loss"})
    [result] = report.tests
    assert result.status in ("failed", "error") and result.score == 0, result  # (error: range refuses 2e3)
    assert result.hint == "ex3.hint.changed_defaults", (def_line, result.hint, result.message)

"""Feedback that lands on the right function, once, in the learner's language.

The buggy fixtures (tests/test_buggy_submissions.py) pin each mistake's hint and points; these tests pin
the report's shape around them: a syntax error reported once on the function at its line, one message per
cause, the function a failing check depends on blamed instead of the check's own, and Chinese reports with
no English catalogue text left in them.
"""

from __future__ import annotations

import re

import pytest

from autograder import messages
from autograder.grading.blame import calls, function_at_line
from autograder.messages import _load, text

from conftest import BUGGY, COURSE, ROOT, build_buggy, copy_solutions

EX2 = "ex2_linear_regression"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_function_at_line_follows_indentation_not_the_parser():
    source = ("import numpy as np\n\n"
              "def a(x):\n    y = (\n  1)\n    return y\n\n"
              "class Net:\n    def step(self):\n        return 1 +\n\n"
              "LIMIT = 3\n"
              "def sgd(params lr):\n    pass\n")
    found = {line: function_at_line(source, line) for line in range(1, source.count("\n") + 1)}
    assert found[1] is None and found[3] == "a" and found[5] == "a" and found[6] == "a"
    assert found[10] == "Net.step" and found[12] is None and found[13] == "sgd" and found[14] == "sgd"
    assert function_at_line(source, 99) is None


def test_calls_are_read_from_the_learners_own_code():
    source = ("def linreg(X, w, b):\n    return X @ w + b\n\n"
              "def loss(y_hat, y):\n    return (y_hat - y) ** 2\n\n"
              "def step(X, w, b, y):\n    return loss(linreg(X, w, b), y)\n\n"
              "def train(X, y):\n    return step(X, 0, 0, y)\n\n"
              "def inline(X, w, b):\n    return X @ w + b\n")
    graph = calls(source, {"linreg", "loss", "step", "train", "inline"})
    assert graph["train"] == {"step", "loss", "linreg"}  # through step
    assert graph["inline"] == set() and graph["linreg"] == set()
    assert calls("def broken(:\n", {"broken"}) == {}


def _syntax_error_in_sgd(folder):
    copy_solutions(folder)
    path = folder / f"{EX2}.py"
    source = path.read_text()
    assert "def sgd(params, lr, batch_size):" in source
    path.write_text(source.replace("def sgd(params, lr, batch_size):", "def sgd(params, lr, batch_size):\n    x = (1 +\n", 1))
    line = path.read_text().splitlines().index("    x = (1 +") + 1
    return line


def test_a_syntax_error_is_reported_once_on_its_function(tmp_path, grade_path):
    line = _syntax_error_in_sgd(tmp_path / "s")
    report = grade_path(tmp_path / "s")
    ex2 = [t for t in report.tests if t.exercise == EX2]
    assert all(t.status == "error" and t.score == 0 and t.file_problem == "syntax" for t in ex2)
    # the bracket opened on that line and never closed, named at that line (Python noticed it further down)
    said = text("syntax.never_closed", file=f"{EX2}.py", line=line, bracket="(", closer=")", code="x = (1 +")
    full = [t for t in ex2 if said in t.message]
    assert len(full) == 1 and full[0].function == "sgd", [t.message for t in ex2]
    where = text("layout.file.where_line", line=line, module=EX2, inside=text("layout.file.where_in", function="sgd"))
    assert where in full[0].message
    blocked = text("report.blocked_by_syntax", title=full[0].name, function="sgd", line=line)
    others = [t for t in ex2 if t is not full[0]]
    assert others and all(t.message == blocked for t in others), [t.message for t in others]
    # the terminal report: one entry for the file, at the top of its exercise, its checks not checked in one line
    rendered = " ".join(report.render().split())  # (the report wraps its lines at 100 columns: compare the words)
    assert " ".join(text("report.file.title.syntax", module=EX2).split()) in rendered
    assert " ".join(text("report.file.not_checked_all", count=len(ex2), functions=text("report.file.separator").join(
        f"`{f}`" for f in dict.fromkeys(t.function for t in ex2))).split()) in rendered
    assert rendered.count(" ".join(said.split())) == 1 and " ".join(blocked.split()) not in rendered
    assert " ".join(text("report.file.first_failure", module=EX2).split()) in rendered


def test_the_same_error_is_shown_once(tmp_path, grade_path):
    build_buggy(BUGGY / "ex2_train_no_backward.py", tmp_path / "s")
    report = grade_path(tmp_path / "s", only={c.test_id for c in COURSE.exercise(EX2).checks})
    train = [t for t in report.tests if t.function == "train" and t.status != "passed"]
    assert len(train) >= 2, [(t.name, t.status) for t in train]
    full = [t for t in train if "TypeError" in t.message]
    assert len(full) == 1
    assert all(t.message == text("report.same_cause", title=full[0].name) for t in train if t is not full[0])
    # the error surfaced in sgd (p.grad is None), but the loop in train is where to look
    assert text("hint.grad_is_none") in full[0].message
    assert text("layout.where_line", function="train", module=EX2) in full[0].message


def test_a_diverging_fit_mlp_is_told_its_steps_go_uphill_not_that_it_never_updates(tmp_path, grade_path):
    """An update with the wrong sign: the public check says that the steps go up the slope (its losses are those
    of gradient ascent), not that the loss never changed."""
    build_buggy(BUGGY / "ex3_fit_mlp_update_sign.py", tmp_path / "s")
    report = grade_path(tmp_path / "s", only={"test_fit_mlp_learns"})
    (result,) = report.tests
    assert result.status == "failed" and result.score == 0, (result.status, result.message)
    assert text("ex3.hint.update_sign") in result.message, result.message
    assert text("ex3.hint.never_updates") not in result.message


def test_a_fit_mlp_whose_loss_blows_up_is_told_so(tmp_path, grade_path):
    """A loss that becomes inf or NaN (here: sigmoid_grad(z) computed as if z were already sigmoid(z), z * (1 - z),
    which is negative for z > 1 and grows without bound) is told as such, with the epoch where it happened."""
    build_buggy(BUGGY / "ex3_sigmoid_grad_on_activation.py", tmp_path / "s")
    report = grade_path(tmp_path / "s", only={"test_fit_mlp_learns"})
    (result,) = report.tests
    assert result.status == "failed" and result.score == 0, (result.status, result.message)
    assert text("ex3.losses_not_finite", epoch=1)[:40] in result.message, result.message
    assert text("ex3.hint.never_updates") not in result.message


def test_a_check_that_runs_another_function_says_so_instead_of_a_call(tmp_path, grade_path):
    """mlp_backward never calls mlp_forward; its checks run the learner's mlp_forward to make its cache. A
    flattened y_hat there is blamed on mlp_forward, once, in words that do not send the learner looking for
    a call inside mlp_backward."""
    build_buggy(BUGGY / "ex3_mlp_forward_flat_output.py", tmp_path / "s")
    ex3 = "ex3_mlp_backprop"
    report = grade_path(tmp_path / "s", only={c.test_id for c in COURSE.exercise(ex3).checks})
    backward = [t for t in report.tests if t.function == "mlp_backward" and t.status != "passed"]
    fields = {"function": "mlp_backward", "uses": "`mlp_forward`", "first": "mlp_forward", "module": ex3}
    assert sum(text("layout.fix_first_input", **fields) in t.message for t in backward) == 1, \
        [t.message for t in backward]
    assert not any(text("layout.fix_first", **fields) in t.message for t in backward)


def _english_prose() -> set[str]:
    """Stretches of English prose in the English catalogue: between placeholders and code, four words or more."""
    pieces = set()
    for template in _load("en").values():
        template = re.sub(r'"[^"\n]*"', " ", template)  # a quoted error message is torch's, in any language
        for part in re.split(r"\{[^}]*\}|`[^`]*`|\n", template):
            for sentence in re.split(r"[.:;()“”]", part):
                words = [word for word in sentence.split() if re.fullmatch(r"[A-Za-z]+,?", word)]
                if len(words) >= 4 and len(sentence.strip()) >= 20:
                    pieces.add(sentence.strip())
    return pieces


@pytest.mark.parametrize("case", ["stubs", "ex2_train_no_backward", "ex2_linreg_detached", "ex3_unbroadcast_sum_all",
                                  "ex2_squared_loss_detached", "syntax_error_in_sgd"])
def test_chinese_reports_have_no_english_catalogue_text(case, tmp_path, grade_path, monkeypatch):
    folder = tmp_path / "s"
    if case == "stubs":
        folder = ROOT / "exercises"
    elif case == "syntax_error_in_sgd":
        _syntax_error_in_sgd(folder)
    else:
        build_buggy(BUGGY / f"{case}.py", folder)
    monkeypatch.setenv("AUTOGRADER_LANG", "zh_CN")
    assert messages.language() == "zh_CN"
    rendered = grade_path(folder).render(str(folder))
    assert HAN.search(rendered)
    left = sorted(piece for piece in _english_prose() if piece in rendered)
    assert not left, f"English catalogue text in the Chinese report of {case}: {left[:5]}\n{rendered[-3000:]}"

"""Every point is earned: the rule of the README's "How grading works", enforced.

Points come only from values that the grading process decides itself (returned arrays, tensors and numbers,
compared with what it computes). What the learner's process says about itself (a tensor's requires_grad,
is_leaf, grad_fn or .grad, type names, flags in a probe's answer) may choose a hint, never a point. So grading
the same submission with every such claim turned upside down, in the grading process, where the worker's
answers are read, changes no score: for the reference, and for buggy submissions whose claims would once have
decided a check.
"""

from __future__ import annotations

import pytest

from autograder.sandbox import codec

from conftest import BUGGY, COURSE, build_buggy, copy_solutions

# buggy submissions of the functions whose checks once read a claim (a flag, a type name, a .grad)
CLAIM_PRONE = ("ex2_linreg_detached", "ex2_linreg_numpy_round_trip", "ex2_squared_loss_detached", "ex2_sgd_rebinds",
               "ex2_sgd_no_zero_grad", "ex2_sgd_only_zeroes", "ex4_grad_at_marks_x", "ex4_grad_at_no_copy",
               "ex4_load_array_own_batches", "ex4_load_array_no_shuffle", "ex4_tinynet_layer_names",
               "ex4_descend_outside_no_grad", "ex4_train_concise_closed_form")


def _forged(real):
    """``codec._decode`` with every claim the worker makes about a value turned upside down."""

    def decode(data, functions, depth, make_tensors):
        value = real(data, functions, depth, make_tensors)
        if isinstance(value, codec.RemoteTensor):
            value.requires_grad = not value.requires_grad
            value.is_leaf = not value.is_leaf
            value.grad_fn = None if value.grad_fn else "ForgedBackward0"
            value.grad = None if value.grad is not None else codec.RemoteTensor(value.values * 0)
        elif isinstance(value, bool):
            return not value
        elif isinstance(value, str):
            return "forged.Claim"
        return value

    return decode


def _scores(report) -> dict:
    return {t.test_id: t.score for t in report.tests}


@pytest.mark.parametrize("name", ["reference", *CLAIM_PRONE])
def test_claims_decide_no_point(name, tmp_path, grade_path, monkeypatch):
    folder = tmp_path / "submission"
    if name == "reference":
        copy_solutions(folder)
        exercises = COURSE.exercises
    else:
        bug = build_buggy(BUGGY / f"{name}.py", folder)
        exercises = [COURSE.exercise(bug["MODULE"])]
    only = {c.test_id for e in exercises for c in e.checks}
    honest = _scores(grade_path(folder, only=only))
    monkeypatch.setattr(codec, "_decode", _forged(codec._decode))
    forged = _scores(grade_path(folder, only=only))
    changed = {k: (honest[k], forged[k]) for k in honest if honest[k] != forged[k]}
    assert not changed, f"{name}: scores that follow what the learner's process says about itself: {changed}"
    if name == "reference":
        assert sum(honest.values()) == COURSE.max_score

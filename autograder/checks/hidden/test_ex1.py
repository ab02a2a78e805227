"""Hidden checks for exercise 1: other inputs, compared with the reference solution."""

import numpy as np

from autograder.checking import (
    FunctionRef,
    check,
    clip,
    expect_array,
    expect_float,
    fail,
    function_source,
    hidden_seed,
    remembered,
    text,
)
from autograder.checks.ex1_support import expect_path
from autograder.checks.in_sandbox.ex1_manual_gradients import FUNCTIONS

EXERCISE = "ex1_manual_gradients"
EXACT = {"rtol": 1e-9, "atol": 1e-12}


@check(points=2, function="dloss", visibility="hidden")
def test_dloss_hidden(student, reference):
    """dloss: agrees with the reference on hidden random inputs"""
    rng = np.random.default_rng(hidden_seed(101))
    for shape in [(17,), (3, 2, 4)]:
        w, x, y = float(rng.normal() * 3), rng.normal(size=shape) * 5, rng.normal(size=shape) * 5
        expected = reference.ex1.dloss(w, x, y)
        expect_array(
            student.ex1.dloss(w, x, y),
            expected,
            what=text("what.hidden_inputs", function="dloss", shape=shape),
            **EXACT,
            mistakes=[("hint.sign", -expected), ("ex1.hint.missing_factor_2", expected / 2)],
        )


@check(points=2, function="mse_grad", visibility="hidden")
def test_mse_grad_hidden(student, reference):
    """mse_grad: agrees with the reference on hidden random inputs"""
    rng = np.random.default_rng(hidden_seed(102))
    for n in (3, 64):
        x, y = rng.uniform(-4, 4, n), rng.uniform(-4, 4, n)
        w, b = float(rng.normal()), float(rng.normal())
        dw, db = reference.ex1.mse_grad(w, b, x, y)
        result = student.ex1.mse_grad(w, b, x, y)
        if not isinstance(result, tuple) or len(result) != 2:
            fail(text("ex1.mse_grad_pair", what="mse_grad"), got=clip(repr(result), 120), hint="hint.return_pair")
        expect_float(
            result[0],
            dw,
            what=text("ex1.what.hidden_samples", name="dw", n=n),
            **EXACT,
            mistakes=[("ex1.hint.sum_not_mean", dw * n)],
        )
        expect_float(
            result[1],
            db,
            what=text("ex1.what.hidden_samples", name="db", n=n),
            **EXACT,
            mistakes=[("ex1.hint.sum_not_mean", db * n)],
        )


@check(points=1, function="numerical_grad", visibility="hidden")
def test_numerical_grad_hidden(student, reference):
    """numerical_grad: agrees with the reference on another function and shape"""
    w = np.random.default_rng(hidden_seed(103)).normal(size=(2, 3, 2)) * 0.5
    expected = reference.ex1.numerical_grad(FUNCTIONS["exp_mix"], w)
    # both are central differences with eps=1e-6; they differ only by rounding (~1e-9)
    expect_array(
        student.ex1.numerical_grad(FunctionRef("exp_mix"), w),
        expected,
        what=text("what.hidden_inputs", function="numerical_grad", shape=(2, 3, 2)),
        rtol=1e-6,
        atol=1e-7,
    )


@check(points=3, function="fit_line", visibility="hidden")
def test_fit_line_hidden_path(student, reference):
    """fit_line: the reference's steps on hidden data and hyperparameters"""
    rng = np.random.default_rng(hidden_seed(104))
    x = rng.uniform(-2, 2, 30)
    y = 0.7 * x + 2.0 + 0.2 * rng.normal(size=30)
    source = function_source(student.session, EXERCISE, "fit_line")
    for run in (
        {"lr": 0.05, "epochs": 25, "batch_size": 30, "seed": hidden_seed(3)},
        {"lr": 0.03, "epochs": 7, "batch_size": 7, "seed": hidden_seed(11)},
        {"lr": 0.15, "epochs": 4, "batch_size": 13, "seed": hidden_seed(5)},
    ):
        expected = remembered(reference.ex1.fit_line)(x, y, **run)  # the same for every submission
        expect_path(student.ex1.fit_line(x, y, **run), x, y, **run, source=source, expected=expected)

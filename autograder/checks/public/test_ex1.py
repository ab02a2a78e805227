"""Public checks for exercise 1: the squared loss and its derivative (NumPy).

Expected values come from torch.autograd in float64 or from NumPy's least
squares, never from the reference solution. Tolerances are stated at each
comparison; scripts/calibrate.py shows the reference passes them on many seeds.
"""

import numpy as np
import torch

from autograder.checking import (
    FunctionRef,
    check,
    clip,
    expect_array,
    expect_float,
    expect_true,
    fail,
    figures,
    function_source,
    text,
    within,
)
from autograder.checks.ex1_support import (
    DEFAULTS,
    EXACT,
    PATH_MISTAKES,
    descent_path,
    expect_path,
    fit_line_pair,
    least_squares,
)
from autograder.checks.in_sandbox.ex1_manual_gradients import FUNCTIONS, torch_version

EXERCISE = "ex1_manual_gradients"
SANDBOX = "numpy"  # NumPy only: graded where torch cannot be imported
# derivatives worked out by hand (autograder/checking/byhand.py): no complex step, no difference quotient, and not the
# learner's own numerical_grad
BY_HAND = {"dloss": ("numerical_grad",), "mse_grad": ("numerical_grad",)}


def autograd_dloss(w, x, y):
    """d/dw of (w*x - y)**2 for each sample, by torch.autograd in float64."""
    x_t, y_t = torch.as_tensor(np.asarray(x, float)), torch.as_tensor(np.asarray(y, float))
    w_t = torch.full(x_t.shape, float(w), dtype=torch.float64, requires_grad=True)
    ((w_t * x_t - y_t) ** 2).sum().backward()
    return w_t.grad.numpy()


def autograd_mse(w, b, x, y):
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    ((w_t * torch.as_tensor(x) + b_t - torch.as_tensor(y)) ** 2).mean().backward()
    return float(w_t.grad), float(b_t.grad)


def dloss_mistakes(expected, w, x, y):
    x = np.asarray(x)
    return [
        ("hint.sign", -expected),
        ("ex1.hint.missing_factor_2", expected / 2),
        ("ex1.hint.dloss_chain_x", 2 * (w * x - y)),
        ("ex1.hint.dloss_wrt_x", 2 * (w * x - y) * w),
        ("ex1.hint.dloss_is_loss", (w * x - y) ** 2),
        ("ex1.hint.dloss_extra_x", 2 * (w * x - y) * x * x),
    ]


def autograd_grad(name, w):
    point = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    torch_version(name)(point).backward()
    return point.grad.numpy()


# `/ 2 * eps` multiplies by eps**2: values far inside the comparison's atol, told apart by their relative error
RELATIVE = {"rtol": 1e-6, "atol": 0.0}


def row_difference(name, w, eps):
    """What a loop over ``range(len(w))`` gives for a w of 2 or more dimensions: ``w[i]`` is a whole row, bumped
    at once, so every entry of row i gets the same central difference (a 1-D w gives the right gradient)."""
    w = np.asarray(w, dtype=np.float64)
    grad = np.zeros(w.shape)
    for i in range(len(w) if w.ndim > 1 else 0):
        plus, minus = w.copy(), w.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (FUNCTIONS[name](plus) - FUNCTIONS[name](minus)) / (2 * eps)
    return grad if w.ndim > 1 else np.full(w.shape, np.nan)


def forward_difference(name, w, eps):
    w = np.asarray(w, dtype=np.float64)

    def f(point):  # as numerical_grad must call it: a float for a scalar w
        return FUNCTIONS[name](float(point) if point.ndim == 0 else point)

    grad = np.zeros(w.shape)
    for index in np.ndindex(w.shape):
        bumped = w.copy()
        bumped[index] += eps
        grad[index] = (f(bumped) - f(w)) / eps
    return grad


@check(points=2, function="dloss")
def test_dloss_scalar(student):
    """dloss: matches torch.autograd on single numbers"""
    for w, x, y in [(1.0, 1.0, 2.0), (0.5, -2.0, 3.0), (-1.5, 0.3, -0.7)]:
        expected = float(autograd_dloss(w, x, y))
        got = student.ex1.dloss(w, x, y)
        if w == 0.5 and isinstance(got, float):  # the loss parabola of one sample, with both tangents
            figures.record("tangent", function="dloss", w=w, x=x, y=y, slope=got, true_slope=expected)
        expect_float(got, expected, what=f"dloss({w}, {x}, {y})", **EXACT, mistakes=dloss_mistakes(expected, w, x, y))


@check(points=2, function="dloss")
def test_dloss_elementwise(student):
    """dloss: one derivative per sample for arrays (no sum, no mean)"""
    rng = np.random.default_rng(11)
    for shape in [(5,), (2, 3)]:
        x, y, w = rng.normal(size=shape), rng.normal(size=shape), 0.7
        expected = autograd_dloss(w, x, y)
        expect_array(
            student.ex1.dloss(w, x, y),
            expected,
            what=text("ex1.what.dloss_arrays", shape=shape),
            **EXACT,
            mistakes=dloss_mistakes(expected, w, x, y),
        )


@check(points=4, function="mse_grad")
def test_mse_grad_autograd(student):
    """mse_grad: (dw, db) match torch.autograd of the mean squared error"""
    rng = np.random.default_rng(12)
    for n in (1, 7, 50):
        x, y = rng.normal(size=n), rng.normal(size=n)
        w, b = float(rng.normal()), float(rng.normal())
        result = student.ex1.mse_grad(w, b, x, y)
        what = text("ex1.what.mse_grad_n", n=n)
        if not isinstance(result, tuple) or len(result) != 2:
            fail(text("ex1.mse_grad_pair", what=what), got=clip(repr(result), 120), hint="hint.return_pair")
        dw, db = autograd_mse(w, b, x, y)
        error = w * x + b - y
        expect_float(
            result[0],
            dw,
            what=text("ex1.what.dw_of", what=what),
            **EXACT,
            mistakes=[
                ("hint.sign", -dw),
                ("ex1.hint.missing_factor_2", dw / 2),
                ("ex1.hint.sum_not_mean", dw * n),
                ("ex1.hint.dw_missing_x", 2 * np.mean(error)),
                ("ex1.hint.product_of_means", 2 * np.mean(error) * np.mean(x)),
            ],
        )
        expect_float(
            result[1],
            db,
            what=text("ex1.what.db_of", what=what),
            **EXACT,
            mistakes=[
                ("hint.sign", -db),
                ("ex1.hint.missing_factor_2", db / 2),
                ("ex1.hint.sum_not_mean", db * n),
                ("ex1.hint.db_with_x", 2 * np.mean(error * x)),
            ],
        )


@check(points=2, function="numerical_grad")
def test_numerical_grad_scalar(student):
    """numerical_grad: a float in, a float out, accurate to 1e-6"""
    # (the last f accepts only what the docstring promises it: a Python float)
    for name, w in (("quadratic", 0.5), ("cubic", 0.8), ("quadratic_of_a_float", -1.3)):
        formula = {"quadratic": "3w^2 - 2w + 1", "cubic": "w^3 - w", "quadratic_of_a_float": "3w^2 - 2w + 1"}[name]
        expected = float(autograd_grad(name, w))
        # with the default eps = 1e-6: a central difference of a quadratic is exact up to rounding, |f| * 1e-16 /
        # eps ~ 1e-9 (of the cubic, off by eps**2 = 1e-12 more); a forward difference is off by 3 * eps (f'' = 6)
        # for the quadratic, outside 1e-6 + 1e-6 * |f'|
        # the cubic's central difference is exactly 3 w**2 - 1 + eps**2: at the default eps = 1e-6 it is 1e-12 off,
        # and rounding adds about 1e-16 * |f| / eps ~ 1e-10, so 3e-9 holds it and refuses another default (1e-4:
        # 1e-8 off)
        tolerance = {"rtol": 0.0, "atol": 3e-9} if name == "cubic" else {"rtol": 1e-6, "atol": 1e-6}
        expect_float(
            student.ex1.numerical_grad(FunctionRef(name), w),
            expected + (1e-12 if name == "cubic" else 0.0),
            what=text("ex1.what.numerical_grad_scalar", w=w, formula=formula),
            **tolerance,
            mistakes=[
                ("ex1.hint.forward_difference", float(forward_difference(name, w, 1e-6))),
                ("ex1.hint.missing_half", 2 * expected),
                ("ex1.hint.eps_precedence", expected * 1e-12, RELATIVE),
            ],
        )


@check(points=3, function="numerical_grad")
def test_numerical_grad_array(student):
    """numerical_grad: gradient of an array, same shape, a central difference with the given eps"""
    rng = np.random.default_rng(13)
    for name, shape, eps in (("cubic", (3, 4), 1e-3), ("wavy", (5,), 1e-3), ("cubic", (4,), 0.25)):
        w = rng.normal(size=shape)
        expected = autograd_grad(name, w)
        if name == "cubic":
            # sum(w**3 - w): its central difference is 3 w**2 - 1 + eps**2 exactly, so a large eps shows whether
            # the one given is used (the default 1e-6 gives the true derivative, 0.0625 away at eps = 0.25)
            expected = expected + eps**2
        got = student.ex1.numerical_grad(FunctionRef(name), w, eps)
        if isinstance(got, np.ndarray) and got.shape == expected.shape:
            figures.record(
                "grad_compare", function="numerical_grad", name=name, learner=got.ravel(), expected=expected.ravel()
            )
        # central-difference error at eps = 1e-3 is about eps**2 * |f'''| / 6 ~ 1e-6 (none left for the cubic);
        # a forward difference is off by ~eps
        expect_array(
            got,
            expected,
            what=text("ex1.what.numerical_grad_eps", shape=shape, eps=eps),
            rtol=1e-4,
            atol=2e-5,
            mistakes=[
                ("ex1.hint.forward_difference", forward_difference(name, w, eps)),
                ("ex1.hint.missing_half", 2 * expected),
                ("ex1.hint.ignores_eps", autograd_grad(name, w)),
                ("ex1.hint.eps_precedence", expected * eps**2, RELATIVE),
                ("ex1.hint.rows_not_entries", row_difference(name, w, eps)),
            ],
        )


@check(points=2, function="numerical_grad")
def test_numerical_grad_leaves_w(student):
    """numerical_grad: leaves w exactly as it was, and returns the right gradient"""
    w = np.random.default_rng(14).normal(size=(4, 3)) * 0.3
    original = w.copy()
    call = student.session.call(EXERCISE, "numerical_grad", FunctionRef("quadratic"), w, 1e-6, return_args=True)
    after = call.args[1]
    expect_true(
        isinstance(after, np.ndarray)
        and after.shape == original.shape
        and after.dtype == original.dtype
        and bool(np.array_equal(after, original)),
        text(
            "ex1.w_changed",
            changed=int(np.sum(after != original))
            if isinstance(after, np.ndarray) and after.shape == original.shape
            else "all",
        ),
        hint="ex1.hint.restore_w",
    )
    # Points for work done: leaving w alone counts only in a function that also computes the gradient
    # (returning 0.0 leaves w alone too). Central differences of a quadratic are exact up to rounding,
    # |f| * 1e-16 / eps ~ 1e-9 here, so the scalar check's 1e-6 tolerance holds with a wide margin.
    expected = autograd_grad("quadratic", original)
    value = call.value
    right = (
        isinstance(value, np.ndarray) and value.dtype == np.float64 and within(value, expected, rtol=1e-6, atol=1e-6)
    )
    expect_true(right, text("expect.only_when_right", function="numerical_grad"), advice="hint.fix_values_first")


def line_data(n=50, seed=15):
    """``n`` points near y = 3x - 1."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return x, 3.0 * x - 1.0 + 0.1 * rng.normal(size=n)


@check(points=4, function="fit_line")
def test_fit_line_least_squares(student):
    """fit_line: with its default arguments, reaches the least-squares line by mini-batch steps"""
    x, y = line_data()
    result = fit_line_pair(student.ex1.fit_line(x, y))  # lr=0.1, epochs=200, batch_size=10, seed=0
    w_ls, b_ls = least_squares(x, y)
    if all(isinstance(v, float) for v in result):
        figures.record("line_fit", function="fit_line", x=x, y=y, learner=list(result), least_squares=[w_ls, b_ls])
    # mini-batch noise at lr=0.1 with batches of 10 leaves the end point within 0.01 of the line
    # (scripts/calibration/ex1_manual_gradients.py); 0.05 leaves a wide margin
    for label, got, expected in (("w", result[0], w_ls), ("b", result[1], b_ls)):
        expect_float(
            got,
            expected,
            what=text("ex1.what.fit_line_param", label=label),
            rtol=0.0,
            atol=0.05,
            default_hint="ex1.hint.fit_line",
        )
    # and by the steps the docstring describes, from the default seed (a closed form reaches the line too)
    expect_path(result, x, y, **DEFAULTS, source=function_source(student.session, EXERCISE, "fit_line"))


# one batch of 20 points on a line, lr 0.05 (the lr that what.full_batch names): full-batch steps from (0, 0)
ONE_BATCH = {"x": np.linspace(-1.0, 1.0, 20), "lr": 0.05}


def one_batch_path(epochs, mistake=None, **changed):
    """The full-batch path on ONE_BATCH's line for ``epochs`` epochs (none below 0), with a classic ``mistake`` or
    an argument ``changed`` from ONE_BATCH's (as a fit_line that leaves it at its default takes it)."""
    x = ONE_BATCH["x"]
    run = {"lr": ONE_BATCH["lr"], "batch_size": len(x), **changed}
    return descent_path(x, 2.0 * x + 1.0, epochs=max(epochs, 0), seed=0, mistake=mistake, **run)


def one_batch_run(student, epochs):
    """fit_line on ONE_BATCH's line with every sample in one batch, and the full-batch path it should follow
    (one epoch less, as many, one more: the order of the samples cannot change a full batch's gradient)."""
    x = ONE_BATCH["x"]
    y = 2.0 * x + 1.0
    result = fit_line_pair(student.ex1.fit_line(x, y, lr=ONE_BATCH["lr"], epochs=epochs, batch_size=len(x)))
    return result, {shift: one_batch_path(epochs + shift) for shift in (-1, 0, 1)}


@check(points=1, function="fit_line")
def test_fit_line_counts_epochs(student):
    """fit_line: runs exactly `epochs` epochs (epochs=0 returns (0, 0))"""
    result, paths = one_batch_run(student, 0)
    one_more = all(isinstance(v, float) for v in result) and within(np.array(result), np.array(paths[1]), **EXACT)
    expect_true(
        all(isinstance(v, float) and v == 0.0 for v in result),
        text("ex1.zero_epochs"),
        expected="(0.0, 0.0)",
        got=clip(repr(result), 120),
        hint="ex1.hint.epochs_one_more" if one_more else "ex1.hint.honour_epochs",
    )
    for epochs in (2, 1):  # (at 1 epoch, one short is the start (0, 0): a fit_line that never updates, too)
        result, paths = one_batch_run(student, epochs)
        for index, label in enumerate(("w", "b")):
            mistakes = [("ex1.hint.epochs_one_more", paths[1][index])]
            # the slips a full batch shows too
            mistakes += [
                (PATH_MISTAKES[m], one_batch_path(epochs, m)[index]) for m in ("b_moved_by_dw", "step_over_batch")
            ]
            if epochs > 1:
                mistakes.append(("ex1.hint.epochs_one_short", paths[-1][index]))
            # an argument left at its default
            mistakes += [
                (f"ex1.hint.ignores_{name}", one_batch_path(epochs, **{name: DEFAULTS[name]})[index])
                for name in ("lr", "batch_size")
            ]
            expect_float(
                result[index],
                paths[0][index],
                what=text("ex1.what.full_batch", label=label, epochs=epochs),
                **EXACT,
                mistakes=mistakes,
                default_hint="ex1.hint.fit_line",
            )


# two runs on 40 noisy points, each argument other than in the other run and than its default
SHUFFLED_RUNS = (
    {"lr": 0.05, "epochs": 3, "batch_size": 8, "seed": 1},
    {"lr": 0.2, "epochs": 2, "batch_size": 6, "seed": 2},
)


@check(points=2, function="fit_line")
def test_fit_line_seeded_shuffle(student):
    """fit_line: a new order every epoch, drawn with `rng`, and one step per mini-batch"""
    rng = np.random.default_rng(16)
    x = rng.normal(size=40)
    y = -2.0 * x + 0.5 + 0.5 * rng.normal(size=40)
    source = function_source(student.session, EXERCISE, "fit_line")
    for run in SHUFFLED_RUNS:
        expect_path(student.ex1.fit_line(x, y, **run), x, y, **run, source=source)

"""Public checks for exercise 1: the squared loss and its derivative (NumPy).

Expected values come from torch.autograd in float64 or from NumPy's least
squares, never from the reference solution. Tolerances are stated at each
comparison; scripts/calibrate.py shows the reference passes them on many seeds.
"""

import numpy as np
import torch

from autograder import figures

from autograder.expect import clip, expect_array, expect_float, expect_true, fail, within
from autograder.messages import text
from autograder.blame import function_source
from autograder.registry import check
from autograder.sandbox.codec import FunctionRef
from autograder.checks.in_sandbox.ex1_manual_gradients import FUNCTIONS, torch_version

EXERCISE = "ex1_manual_gradients"
SANDBOX = "numpy"  # NumPy only: graded where torch cannot be imported
EXACT = {"rtol": 1e-9, "atol": 1e-12}  # same formula, float64: only rounding differs


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
    return [("hint.sign", -expected), ("ex1.hint.missing_factor_2", expected / 2),
            ("ex1.hint.dloss_chain_x", 2 * (w * np.asarray(x) - y))]


def autograd_grad(name, w):
    point = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    torch_version(name)(point).backward()
    return point.grad.numpy()


def forward_difference(name, w, eps):
    f, w = FUNCTIONS[name], np.asarray(w, dtype=np.float64)
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
        expect_array(student.ex1.dloss(w, x, y), expected, what=text("what.dloss_arrays", shape=shape),
                     **EXACT, mistakes=dloss_mistakes(expected, w, x, y))


@check(points=4, function="mse_grad")
def test_mse_grad_autograd(student):
    """mse_grad: (dw, db) match torch.autograd of the mean squared error"""
    rng = np.random.default_rng(12)
    for n in (1, 7, 50):
        x, y = rng.normal(size=n), rng.normal(size=n)
        w, b = float(rng.normal()), float(rng.normal())
        result = student.ex1.mse_grad(w, b, x, y)
        what = text("what.mse_grad_n", n=n)
        if not isinstance(result, tuple) or len(result) != 2:
            fail(text("ex1.mse_grad_pair", what=what), got=clip(repr(result), 120), hint="hint.return_pair")
        dw, db = autograd_mse(w, b, x, y)
        error = w * x + b - y
        expect_float(result[0], dw, what=text("what.dw_of", what=what), **EXACT, mistakes=[
            ("hint.sign", -dw), ("ex1.hint.missing_factor_2", dw / 2), ("ex1.hint.sum_not_mean", dw * n),
            ("ex1.hint.dw_missing_x", 2 * np.mean(error))])
        expect_float(result[1], db, what=text("what.db_of", what=what), **EXACT, mistakes=[
            ("hint.sign", -db), ("ex1.hint.missing_factor_2", db / 2), ("ex1.hint.sum_not_mean", db * n),
            ("ex1.hint.db_with_x", 2 * np.mean(error * x))])


@check(points=2, function="numerical_grad")
def test_numerical_grad_scalar(student):
    """numerical_grad: a float in, a float out, accurate to 1e-6"""
    for w in (0.5, -1.3):
        expected = float(autograd_grad("quadratic", w))
        # central difference of a quadratic is exact up to rounding: |f| * 1e-16 / eps ~ 1e-9
        # a forward difference with the default eps = 1e-6 is off by 3 * eps (f'' = 6): outside 1e-6 + 1e-6 * |f'|
        expect_float(student.ex1.numerical_grad(FunctionRef("quadratic"), w), expected,
                     what=text("what.numerical_grad_scalar", w=w), rtol=1e-6, atol=1e-6,
                     mistakes=[("ex1.hint.forward_difference", float(forward_difference("quadratic", w, 1e-6))),
                               ("ex1.hint.missing_half", 2 * expected)])


@check(points=3, function="numerical_grad")
def test_numerical_grad_array(student):
    """numerical_grad: gradient of an array, same shape, central difference accuracy"""
    rng = np.random.default_rng(13)
    for name, shape in (("cubic", (3, 4)), ("wavy", (5,))):
        w, eps = rng.normal(size=shape), 1e-3
        expected = autograd_grad(name, w)
        got = student.ex1.numerical_grad(FunctionRef(name), w, eps)
        if isinstance(got, np.ndarray) and got.shape == expected.shape:
            figures.record("grad_compare", function="numerical_grad", name=name, learner=got.ravel(),
                           expected=expected.ravel())
        # central-difference error is about eps**2 * |f'''| / 6 ~ 1e-6; a forward difference is off by ~1e-3
        expect_array(got, expected, what=text("what.numerical_grad_array", shape=shape), rtol=1e-4, atol=2e-5,
                     mistakes=[("ex1.hint.forward_difference", forward_difference(name, w, eps)),
                               ("ex1.hint.missing_half", 2 * expected)])


@check(points=2, function="numerical_grad")
def test_numerical_grad_leaves_w(student):
    """numerical_grad: leaves w exactly as it was, and returns the right gradient"""
    w = np.random.default_rng(14).normal(size=(4, 3)) * 0.3
    original = w.copy()
    call = student.session.call(EXERCISE, "numerical_grad", FunctionRef("quadratic"), w, 1e-6, return_args=True)
    after = call.args[1]
    expect_true(isinstance(after, np.ndarray) and after.shape == original.shape and after.dtype == original.dtype
                and bool(np.array_equal(after, original)),
                text("ex1.w_changed", changed=int(np.sum(after != original)) if isinstance(after, np.ndarray)
                     and after.shape == original.shape else "all"),
                hint="ex1.hint.restore_w")
    # Points for work done: leaving w alone counts only in a function that also computes the gradient
    # (returning 0.0 leaves w alone too). Central differences of a quadratic are exact up to rounding,
    # |f| * 1e-16 / eps ~ 1e-9 here, so the scalar check's 1e-6 tolerance holds with a wide margin.
    expected = autograd_grad("quadratic", original)
    value = call.value
    right = isinstance(value, np.ndarray) and value.dtype == np.float64 and within(value, expected, rtol=1e-6, atol=1e-6)
    expect_true(right, text("expect.only_when_right", function="numerical_grad"), hint="hint.fix_values_first")


def least_squares(x, y):
    A = np.stack([x, np.ones_like(x)], axis=1)
    (w, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(w), float(b)


# 20 epochs of 5 batches (100 steps): a correct fit_line is within 0.01 of the least-squares line after
# about 30 of them; what is left is mini-batch noise (scripts/calibration/ex1_manual_gradients.py)
FIT_LINE = {"lr": 0.1, "epochs": 20, "batch_size": 20}


def line_data():
    """100 points near y = 3x - 1 (the least-squares check's data)."""
    rng = np.random.default_rng(15)
    x = rng.normal(size=100)
    return x, 3.0 * x - 1.0 + 0.1 * rng.normal(size=100)


def fit_line_pair(result):
    """Fail unless fit_line returned a pair (w, b)."""
    if not isinstance(result, tuple) or len(result) != 2:
        fail(text("ex1.fit_line_pair"), got=clip(repr(result), 120), hint="hint.return_pair")


def floats_at(result, point, **tolerance) -> bool:
    """Whether ``result`` is a pair of Python floats within ``tolerance`` of ``point``."""
    return (isinstance(result, tuple) and len(result) == 2 and all(isinstance(v, float) for v in result)
            and within(np.array(result), np.array(point), **tolerance))


@check(points=4, function="fit_line")
def test_fit_line_least_squares(student):
    """fit_line: reaches the least-squares line"""
    x, y = line_data()
    result = student.ex1.fit_line(x, y, **FIT_LINE)
    fit_line_pair(result)
    w_ls, b_ls = least_squares(x, y)
    if all(isinstance(v, float) for v in result):
        figures.record("line_fit", function="fit_line", x=x, y=y, learner=list(result), least_squares=[w_ls, b_ls])
    # mini-batch noise at lr=0.1 with batches of 20 moves the end point by < 8e-3 (scripts/calibrate.py);
    # 0.05 leaves a wide margin
    for label, got, expected in (("w", result[0], w_ls), ("b", result[1], b_ls)):
        expect_float(got, expected, what=text("what.fit_line_param", label=label), rtol=0.0, atol=0.05,
                     default_hint="ex1.hint.fit_line")
    # and by mini-batch gradient descent: a closed form reaches the line too
    got, expected = equal_points_run(student)
    expect_true(within(np.array(got), np.array(expected), **EXACT),
                text("ex1.minibatch_steps", **EQUAL_POINTS, per_epoch=EQUAL_STEPS,
                     steps=EQUAL_POINTS["epochs"] * EQUAL_STEPS),
                expected=repr(expected), got=clip(repr(got), 120), hint="ex1.hint.fit_line")


# n equal points: every batch, the short last one too, has the same gradient, so the path does not depend on
# the order of the samples: ceil(n / batch_size) steps of gradient descent per epoch
EQUAL_POINTS = {"n": 10, "batch_size": 4, "epochs": 2}
EQUAL_STEPS = -(-EQUAL_POINTS["n"] // EQUAL_POINTS["batch_size"])  # per epoch


def equal_points_run(student):
    """fit_line on EQUAL_POINTS, and where that many mini-batch steps from (0, 0) end (autograd, float64)."""
    n, size, epochs = EQUAL_POINTS["n"], EQUAL_POINTS["batch_size"], EQUAL_POINTS["epochs"]
    x, y = np.full(n, 0.5), np.full(n, 2.0)
    result = student.ex1.fit_line(x, y, lr=0.1, epochs=epochs, batch_size=size, seed=5)
    fit_line_pair(result)
    return result, full_batch_path(x, y, 0.1, epochs * EQUAL_STEPS)


def full_batch_path(x, y, lr, epochs):
    """(w, b) after ``epochs`` full-batch steps from (0, 0), the gradient of the mean squared error by
    torch.autograd in float64: one batch of every sample, so the order of the samples does not matter."""
    x_t, y_t = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
    w = b = 0.0
    for _ in range(max(epochs, 0)):
        w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        ((w_t * x_t + b_t - y_t) ** 2).mean().backward()
        w, b = w - lr * float(w_t.grad), b - lr * float(b_t.grad)
    return w, b


# one batch of 20 points on a line, lr 0.05 (the lr that what.full_batch names): full-batch steps from (0, 0)
ONE_BATCH = {"x": np.linspace(-1.0, 1.0, 20), "lr": 0.05}


def one_batch_run(student, epochs):
    """fit_line on ONE_BATCH's line with every sample in one batch, and the full-batch path it should follow."""
    x = ONE_BATCH["x"]
    y = 2.0 * x + 1.0
    result = student.ex1.fit_line(x, y, lr=ONE_BATCH["lr"], epochs=epochs, batch_size=len(x))
    fit_line_pair(result)
    return result, {shift: full_batch_path(x, y, ONE_BATCH["lr"], epochs + shift) for shift in (-1, 0, 1)}


@check(points=1, function="fit_line")
def test_fit_line_counts_epochs(student):
    """fit_line: runs exactly `epochs` epochs (epochs=0 returns (0, 0))"""
    result, paths = one_batch_run(student, 0)
    one_more = floats_at(result, paths[1], **EXACT)
    expect_true(all(isinstance(v, float) and v == 0.0 for v in result), text("ex1.zero_epochs"),
                expected="(0.0, 0.0)", got=clip(repr(result), 120),
                hint="ex1.hint.epochs_one_more" if one_more else "ex1.hint.honour_epochs")
    for epochs in (2, 1):  # (at 1 epoch, one short is the start (0, 0): a fit_line that never updates, too)
        result, paths = one_batch_run(student, epochs)
        for index, label in enumerate(("w", "b")):
            mistakes = [("ex1.hint.epochs_one_more", paths[1][index])]
            if epochs > 1:
                mistakes.append(("ex1.hint.epochs_one_short", paths[-1][index]))
            expect_float(result[index], paths[0][index], what=text("what.full_batch", label=label, epochs=epochs),
                         **EXACT, mistakes=mistakes, default_hint="ex1.hint.fit_line")


def fits(student) -> bool:
    """Whether fit_line works: it reaches the least-squares line (that check's run and tolerance), and follows
    the full-batch path for two epochs and the equal points' mini-batch steps exactly (a closed form does not)."""
    x, y = line_data()
    if not floats_at(student.ex1.fit_line(x, y, **FIT_LINE), least_squares(x, y), rtol=0.0, atol=0.05):
        return False
    result, paths = one_batch_run(student, 2)
    return floats_at(result, paths[0], **EXACT) and floats_at(*equal_points_run(student), **EXACT)


@check(points=2, function="fit_line")
def test_fit_line_seeded_shuffle(student):
    """fit_line: shuffles with a generator seeded by `seed`"""
    rng = np.random.default_rng(16)
    x = rng.normal(size=40)
    y = -2.0 * x + 0.5 + 0.5 * rng.normal(size=40)
    kwargs = {"lr": 0.05, "epochs": 3, "batch_size": 8}
    first = student.ex1.fit_line(x, y, seed=1, **kwargs)
    again = student.ex1.fit_line(x, y, seed=1, **kwargs)
    other = student.ex1.fit_line(x, y, seed=2, **kwargs)
    for value in (first, again, other):
        fit_line_pair(value)
    expect_true(np.array_equal(np.asarray(first, float), np.asarray(again, float)), text("ex1.seed_repeat"),
                expected=repr(first), got=repr(again), hint="ex1.hint.seeded_generator")
    # the same result for two seeds: no shuffling at all, or a permutation drawn and never used to index
    unused = "permutation" in function_source(student.session, EXERCISE, "fit_line")
    expect_true(not np.array_equal(np.asarray(first, float), np.asarray(other, float)), text("ex1.seed_ignored"),
                got=text("detail.two_seeds", first=first, other=other),
                hint="ex1.hint.permutation_unused" if unused else "ex1.hint.no_shuffle")
    # a property of a fit_line that works: any function of the seed alone has it too
    expect_true(fits(student), text("expect.only_when_right", function="fit_line"), hint="hint.fix_values_first")

"""Public checks for exercise 2: linear regression from scratch in PyTorch.

Expected values are computed here with torch (autograd in float64 where a
gradient is checked), never from the reference solution.
"""

import numpy as np
import torch

from autograder import figures

from autograder.checks.ex2_support import (EX2, PUBLIC_HYPER, PUBLIC_N, PUBLIC_SEED, PUBLIC_TOL, check_train_converges,
                                           converged, expect_loss_tensor, make_regression, run_train, tensor_param,
                                           unpack_train)
from autograder.expect import (REGULAR, CheckFailed, expect_array, expect_tensor, expect_tensor_form, expect_true, fail,
                               fmt, neighbours, type_hint, within)
from autograder.messages import text
from autograder.registry import check
from autograder.sandbox.client import StudentException
from autograder.sandbox.codec import Generated, RemoteTensor

EXERCISE = EX2
TRUE_W, TRUE_B = [2.0, -3.4], 4.2
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}  # float32 arithmetic, a few roundings apart


def _pair(result, what):
    if not isinstance(result, tuple) or len(result) != 2:
        fail(text("ex2.pair", what=what), got=fmt(result), hint="hint.return_pair")
    for value in result:
        if not isinstance(value, RemoteTensor):
            fail(text("expect.type_tensor", what=what, got=fmt(value)), hint=type_hint(value, "tensor"))
    return result


@check(points=2, function="synthetic_data")
def test_synthetic_data_shapes(student):
    """synthetic_data: X (n, d) and y (n, 1), both float32"""
    X, y = _pair(student.ex2.synthetic_data(torch.tensor(TRUE_W), TRUE_B, 50), "synthetic_data")
    for label, value, shape in (("X", X, (50, 2)), ("y", y, (50, 1))):
        expect_true(value.shape == shape, text("expect.shape", what=text("what.returned_by", label=label, call="synthetic_data(w, b, 50)")),
                    expected=str(shape), got=str(value.shape),
                    hint="ex2.hint.label_column" if label == "y" else "hint.shape")
        expect_true(value.dtype == "torch.float32", text("expect.dtype", what=text("what.returned_by", label=label, call="synthetic_data(w, b, 50)")),
                    expected="torch.float32", got=value.dtype, hint="hint.dtype")
    # a property of data drawn as asked: constants of the right shape have it too
    expect_true(_statistics_hold(*_statistics(student)), text("expect.only_when_right", function="synthetic_data"),
                hint="hint.fix_values_first")


def _kurtosis(values) -> float:
    """E[(v - mean)^4] / std^4: 3 for a normal distribution, 1.8 for a uniform one."""
    centred = values - values.mean()
    return float(np.mean(centred**4) / np.mean(centred**2) ** 2) if np.mean(centred**2) > 0 else float("nan")


def _statistics(student):
    """synthetic_data's 20000 draws (features and noise) as float64 arrays, after the shape checks (a shared
    call: the shapes check's guard and the statistics check read one run)."""
    n = 20000
    X, y = _pair(student.ex2.synthetic_data(torch.tensor(TRUE_W), TRUE_B, n, shared=True), "synthetic_data")
    if X.shape != (n, 2) or y.shape != (n, 1):
        fail(text("expect.shape", what="synthetic_data"), expected=text("detail.two", first=(n, 2), second=(n, 1)),
             got=text("detail.two", first=X.shape, second=y.shape), hint="ex2.hint.label_column")
    x = X.values.astype(np.float64)
    return x, y.values.astype(np.float64).ravel() - (x @ np.array(TRUE_W) + TRUE_B)


# 40000 N(0, 1) draws: their kurtosis has std sqrt(24 / 40000) = 0.025, so 0.25 is 10 sigma; the noise's 20000
# draws: std 0.035, 0.3 is > 8 sigma; the correlation of two independent columns: std 0.007, 0.05 is 7 sigma
KURTOSIS_X, KURTOSIS_NOISE, CORRELATION = 0.25, 0.3, 0.05


def _statistics_hold(x, noise) -> bool:
    return bool(abs(x.mean()) < 0.03 and abs(x.std() - 1.0) < 0.03 and abs(_kurtosis(x.ravel()) - 3) < KURTOSIS_X
                and abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]) < CORRELATION and abs(noise.mean()) < 1e-3
                and 0.009 < noise.std() < 0.011 and abs(_kurtosis(noise) - 3) < KURTOSIS_NOISE)


@check(points=3, function="synthetic_data")
def test_synthetic_data_statistics(student):
    """synthetic_data: X from N(0, 1), y = Xw + b plus noise of std 0.01"""
    x, noise = _statistics(student)
    # the mean of 40000 N(0,1) draws has std 0.005, their std has std 0.0035: 0.03 is > 6 sigma
    expect_true(abs(x.mean()) < 0.03 and abs(x.std() - 1.0) < 0.03, text("ex2.features_not_normal"),
                expected=text("detail.mean_std", mean=0, std=1),
                got=text("detail.mean_std", mean=f"{x.mean():.4f}", std=f"{x.std():.4f}"),
                hint="ex2.hint.features_normal")
    kurtosis = _kurtosis(x.ravel())
    expect_true(abs(kurtosis - 3) < KURTOSIS_X, text("ex2.features_not_gaussian", kurtosis=f"{kurtosis:.3f}"),
                hint="ex2.hint.features_normal")
    correlation = float(np.corrcoef(x[:, 0], x[:, 1])[0, 1])
    expect_true(abs(correlation) < CORRELATION, text("ex2.features_correlated", corr=f"{correlation:.3f}"),
                hint="ex2.hint.features_normal")
    # the noise std estimate from 20000 draws has std 5e-5, so [0.009, 0.011] is > 20 sigma wide
    hint = "ex2.hint.no_noise" if noise.std() < 1e-3 else "ex2.hint.noise_std"
    expect_true(abs(noise.mean()) < 1e-3 and 0.009 < noise.std() < 0.011, text("ex2.noise_wrong"),
                expected=text("detail.mean_std", mean=0, std=0.01),
                got=text("detail.mean_std", mean=f"{noise.mean():.5f}", std=f"{noise.std():.5f}"), hint=hint)
    kurtosis = _kurtosis(noise)
    expect_true(abs(kurtosis - 3) < KURTOSIS_NOISE, text("ex2.noise_not_gaussian", kurtosis=f"{kurtosis:.3f}"),
                hint="ex2.hint.noise_std")


def _batches(result, what):
    if isinstance(result, Generated):
        items = result.items
    elif isinstance(result, list):
        items = result
    else:
        fail(text("ex2.not_generator", what=what, got=fmt(result)), hint="ex2.hint.use_yield")
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, RemoteTensor) for v in item)):
            fail(text("ex2.batch_not_pair", what=what), got=fmt(item), hint="ex2.hint.yield_pair")
    return items


def _indexed_data(n):
    """Row i of the features is (2i, 2i + 1), so every batch can be traced back; label i is a number that the
    features do not give away (a fixed shuffle of 0 .. n-1), so a batch's labels must come from ``labels``."""
    features = torch.arange(2 * n, dtype=torch.float32).reshape(n, 2)
    labels = torch.tensor(np.random.default_rng(n).permutation(n), dtype=torch.float32).reshape(n, 1)
    return features, labels


def _rows(X):
    """The row numbers of a batch of _indexed_data's features (-1 where a row is not one of them)."""
    values = X.values[:, 0] if X.values.ndim == 2 else np.full(X.shape[:1], np.nan)
    return [int(v) // 2 if np.isfinite(v) and v >= 0 and v % 2 == 0 else -1 for v in values]


def _labels_of(X, labels):
    """The labels that belong with a batch of _indexed_data's features (NaN for a row that is not one of them)."""
    return np.array([labels.numpy()[r, 0] if r >= 0 else np.nan for r in _rows(X)])


@check(points=3, function="data_iter")
def test_data_iter_coverage(student):
    """data_iter: every example exactly once, the last batch shorter"""
    features, labels = _indexed_data(53)
    items = _batches(student.ex2.data_iter(10, features, labels), "data_iter(10, features, labels) with n = 53")
    sizes = [X.shape[0] for X, _ in items]
    figures.record("batches", function="data_iter", n=53,
                   batches=[[r for r in _rows(X) if r >= 0][:100] for X, _ in items[:60]])
    hint = "ex2.hint.dropped_last" if sizes == [10] * 5 else "ex2.hint.batch_sizes"
    expect_true(sizes == [10, 10, 10, 10, 10, 3], text("ex2.batch_sizes"), expected="[10, 10, 10, 10, 10, 3]",
                got=str(sizes[:20]), hint=hint)
    for X, y in items:
        expect_true(X.shape[1:] == (2,) and y.shape[1:] == (1,) and X.dtype == y.dtype == "torch.float32",
                    text("ex2.batch_shapes"), expected=text("detail.two", first="(k, 2)", second="(k, 1), float32"),
                    got=text("detail.two", first=X.shape, second=f"{y.shape}, {X.dtype}"), hint="ex2.hint.index_rows")
    seen = sorted(r for X, _ in items for r in _rows(X))  # -1: not one of the examples
    duplicates = len(seen) - len(set(seen))
    expect_true(seen == list(range(53)), text("ex2.coverage", duplicates=duplicates, missing=53 - len(set(seen))),
                hint="ex2.hint.duplicates" if duplicates else "ex2.hint.batch_sizes")


@check(points=2, function="data_iter")
def test_data_iter_pairing(student):
    """data_iter: each example keeps its own label"""
    features, labels = _indexed_data(40)
    items = _batches(student.ex2.data_iter(8, features, labels), "data_iter(8, features, labels)")
    for X, y in items:
        if X.shape[0] != y.shape[0] or X.values.ndim != 2:
            fail(text("ex2.batch_shapes"), expected=text("detail.as_many_labels"), got=text("detail.two", first=X.shape, second=y.shape),
                 hint="ex2.hint.separate_shuffle")
        wanted = _labels_of(X, labels)
        expect_true(np.array_equal(wanted, y.values.ravel()), text("ex2.unpaired"),
                    expected=text("detail.labels", labels=fmt(wanted)), got=text("detail.labels", labels=fmt(y.values.ravel())),
                    hint="ex2.hint.separate_shuffle")


@check(points=2, function="data_iter")
def test_data_iter_shuffles(student):
    """data_iter: a random order, and a fresh one on every call"""
    features, labels = _indexed_data(100)
    orders = []
    for _ in range(2):
        items = _batches(student.ex2.data_iter(10, features, labels), "data_iter(10, features, labels)")
        orders.append([r for X, _ in items for r in _rows(X)])
    expect_true(orders[0] != list(range(100)), text("ex2.not_shuffled"), got=str(orders[0][:12]) + " ...",
                hint="ex2.hint.no_shuffle")
    expect_true(orders[0] != orders[1], text("ex2.same_order"), got=text("detail.both_times", order=str(orders[0][:12])),
                hint="ex2.hint.same_order")
    for order in orders:  # reversed, rotated, or one of a few fixed orders: made by a rule, not by chance
        count = neighbours(order)
        expect_true(count < REGULAR, text("ex2.order_regular", count=count, n=len(order)), got=str(order[:12]) + " ...",
                    hint="ex2.hint.no_shuffle")
    # a property of batches that hold every example once, each with its own label (any garbage has it too)
    paired = all(X.shape[0] == y.shape[0] and np.array_equal(_labels_of(X, labels), y.values.ravel()) for X, y in items)
    expect_true(paired and sorted(orders[1]) == list(range(100)), text("expect.only_when_right", function="data_iter"),
                hint="hint.fix_values_first")


@check(points=2, function="linreg")
def test_linreg(student):
    """linreg: X @ w + b, one prediction per example, shape (n, 1)"""
    generator = torch.Generator().manual_seed(21)
    X, w, b = torch.randn(6, 3, generator=generator), torch.randn(3, 1, generator=generator), torch.tensor([0.5])
    expected = (X.double() @ w.double() + b.double()).numpy()
    answer = student.ex2.linreg(X, w.clone().requires_grad_(True), b.clone().requires_grad_(True))
    got = expect_tensor(answer, expected, what=text("what.linreg"), **FLOAT32,
                        shape_hints={(6,): "ex2.hint.linreg_shape", (6, 6): "ex2.hint.linreg_shape"},
                        mistakes=[("ex2.hint.linreg_bias", (X.double() @ w.double()).numpy())])
    # Diagnostic only (it can fail the check, never pass it): with w and b requiring a gradient, the learner's
    # process says whether its result is connected to them; every correct implementation's is.
    expect_true(got.requires_grad and got.grad_fn is not None, text("ex2.linreg_no_gradient"),
                expected="requires_grad True, grad_fn ...", got=f"requires_grad {got.requires_grad}, grad_fn {got.grad_fn}",
                hint="ex2.hint.linreg_detached")


def _loss_inputs(n, seed, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(n, 1, generator=generator).to(dtype), torch.randn(n, 1, generator=generator).to(dtype))


@check(points=3, function="squared_loss")
def test_squared_loss_values(student):
    """squared_loss: (y_hat - y)**2 / 2 per example, for y of shape (n,) or (n, 1)"""
    y_hat, y = _loss_inputs(6, 22)
    expected = ((y_hat.double() - y.double()) ** 2 / 2).numpy()
    shape_hints = {(6, 6): "ex2.hint.missing_reshape", (): "ex2.hint.loss_reduced", (1,): "ex2.hint.loss_reduced"}
    mistakes = [("ex2.hint.loss_missing_half", 2 * expected)]
    for label, labels in (("(6, 1)", y), ("(6,)", y.reshape(-1))):
        expect_loss_tensor(student.ex2.squared_loss(y_hat, labels), expected,
                           what=text("what.squared_loss", n=6, label=label),
                           shape_hints=shape_hints, mistakes=mistakes)


# Central differences of the learner's own loss values, taken in the grading process. The loss is
# quadratic in y_hat, so (L(x + h) - L(x - h)) / 2h is its derivative exactly, whatever h: the only error
# is rounding. With h = 0.25 (a power of two, so x +- h and the step 2h = 0.5 are exact for these
# float32-valued inputs) each loss value (< 3 here) carries a few ulps, about 1e-15, and dividing by 0.5
# and weighting by the upstream (<= 2.5) leaves under 1e-14 (the reference's error is 0 here): atol =
# 1e-12 has a 100x margin, and rtol = 1e-9 is as strict as the other float64 comparisons. Forgetting the
# 1/2 doubles the gradient.
FD_STEP = 0.25
FD_TOLERANCE = {"rtol": 1e-9, "atol": 1e-12}


@check(points=2, function="squared_loss")
def test_squared_loss_autograd(student):
    """squared_loss: its gradient matches torch.autograd (float64)"""
    # The gradient is judged only on what is computed here: the learner's loss *values* at the point and
    # at perturbed points, differenced in this process, against torch.autograd of the correct formula, also
    # run here. Nothing is backpropagated in the sandbox, where the learner's code could have patched
    # torch.Tensor.backward (or anything else). A detached implementation (.detach(), or a detour through
    # NumPy) has the right values, hence the right finite differences, and may pass this check: that is
    # acceptable here (the train checks catch a loss no gradient flows through). The last line only adds
    # a hint for an honest detached one, from a flag the learner's process reports: it can take the points
    # away, never give them.
    y_hat, y = _loss_inputs(5, 23, torch.float64)
    labels = y.reshape(-1)
    upstream = np.linspace(0.5, 2.5, 5).reshape(5, 1)
    reference_input = y_hat.clone().requires_grad_(True)
    ((reference_input - y) ** 2 / 2 * torch.from_numpy(upstream)).sum().backward()
    expected = reference_input.grad.numpy()
    what = text("what.squared_loss", n=5, label="(5,)")
    shape_hints = {(5, 5): "ex2.hint.missing_reshape", (): "ex2.hint.loss_reduced", (1,): "ex2.hint.loss_reduced"}

    def loss_at(point: np.ndarray) -> RemoteTensor:
        result = student.ex2.squared_loss(torch.from_numpy(point.copy()).requires_grad_(True), labels)
        # the dtype is that of the bytes that came back, not what the learner's process says
        return expect_tensor_form(result, (5, 1), what=what, dtype="torch.float64", shape_hints=shape_hints)

    point = y_hat.numpy()
    at_point = loss_at(point)
    numerical = np.zeros_like(point)
    for row in range(len(point)):  # y_hat is a column: one partial derivative per row
        plus, minus = point.copy(), point.copy()
        plus[row, 0] += FD_STEP
        minus[row, 0] -= FD_STEP
        difference = loss_at(plus).values - loss_at(minus).values
        numerical[row, 0] = float(np.sum(upstream * difference)) / float(plus[row, 0] - minus[row, 0])
    expect_array(numerical, expected, what=text("what.squared_loss_grad"), **FD_TOLERANCE,
                 mistakes=[("ex2.hint.loss_missing_half", 2 * expected)])
    # Diagnostic only (it can fail the check, never pass it): the learner's process says whether its result
    # is connected to y_hat; every correct implementation's is, and a forged flag gains nothing.
    expect_true(at_point.requires_grad, text("ex2.no_gradient"), hint="ex2.hint.detached")


def _sgd_call(student, lr=0.1, batch_size=4):
    w = tensor_param([[0.5], [-1.0], [2.0]], [[1.0], [2.0], [-4.0]])
    b = tensor_param([0.25], [8.0])
    before = [w.detach().numpy().copy(), b.detach().numpy().copy()]
    grads = [w.grad.numpy().copy(), b.grad.numpy().copy()]
    try:
        call = student.session.call(EX2, "sgd", [w, b], lr, batch_size, return_args=True)
    except StudentException as error:
        message = error.detail.get("message", "")
        if "in-place" in message or "leaf Variable" in message:
            error.hint = "ex2.hint.no_grad"
        elif "NoneType" in message and "zero_" in message:  # p.grad of a new tensor made by `p = p - ...`
            error.hint = "ex2.hint.rebinding"
        raise
    params_after = call.args[0]
    return call.value, before, grads, params_after


@check(points=3, function="sgd")
def test_sgd_step(student):
    """sgd: p -= lr * p.grad / batch_size, returning None"""
    value, before, grads, after = _sgd_call(student)
    for name, old, grad, new in zip(("w", "b"), before, grads, after):
        expected = old - 0.1 * grad / 4
        if np.array_equal(new.values, old):
            fail(text("ex2.sgd_unchanged", name=name), expected=fmt(expected), got=fmt(new.values),
                 hint="ex2.hint.rebinding")
        expect_tensor(new, expected, what=text("what.after_sgd", name=name), **FLOAT32,
                      mistakes=[("ex2.hint.sgd_batch_size", old - 0.1 * grad), ("hint.sign", old + 0.1 * grad / 4),
                                ("ex2.hint.sgd_batch_size", old - 0.1 * grad / 16)])
    expect_true(value is None, text("ex2.sgd_returns"), got=fmt(value), hint="ex2.hint.sgd_returns")


@check(points=3, function="sgd")
def test_sgd_in_place(student):
    """sgd: updates the same tensors in place, recording no history, by the right step"""
    _, before, grads, after = _sgd_call(student)
    for name, old, new in zip(("w", "b"), before, after):
        expect_true(not np.array_equal(new.values, old), text("ex2.sgd_unchanged", name=name),
                    hint="ex2.hint.rebinding")
        expect_true(new.is_leaf and new.grad_fn is None, text("ex2.sgd_history", name=name),
                    got=f"grad_fn = {new.grad_fn}", hint="ex2.hint.no_grad")
        expect_true(new.requires_grad, text("ex2.sgd_requires_grad", name=name), hint="ex2.hint.requires_grad")
    _expect_right_step(before, grads, after)


def _expect_right_step(before, grads, after):
    """Points for work done: a property of sgd counts only when its step is also right (same tolerance as
    test_sgd_step). An sgd that only zeroes the gradients, or changes the tensors in place by the wrong
    amount, would keep these points otherwise."""
    for old, grad, new in zip(before, grads, after):
        expected = old - 0.1 * grad / 4
        expect_true(within(new.values, expected, **FLOAT32), text("expect.only_when_right", function="sgd"), hint="hint.fix_values_first")


@check(points=2, function="sgd")
def test_sgd_zeroes_grad(student):
    """sgd: zeroes each p.grad after a correct step"""
    _, before, grads, after = _sgd_call(student)
    for name, new in zip(("w", "b"), after):
        grad = new.grad
        expect_true(grad is None or not np.any(grad.values), text("ex2.grad_not_zero", name=name),
                    expected=text("detail.zeros"), got=fmt(grad.values) if grad is not None else "None", hint="ex2.hint.zero_grad")
    _expect_right_step(before, grads, after)


@check(points=4, function="train")
def test_train_converges(student):
    """train: recovers w = [2, -3.4] and b = 4.2"""
    # lr=0.1, 3 epochs, batch 10 on 340 examples (102 steps, ex2_support.PUBLIC_HYPER): the reference ends
    # within 2.4e-3 of the truth on every calibration seed; 0.02 leaves a wide margin
    check_train_converges(student, TRUE_W, TRUE_B, n=PUBLIC_N, seed=PUBLIC_SEED, tol=PUBLIC_TOL, **PUBLIC_HYPER)


@check(points=2, function="train")
def test_train_losses(student):
    """train: losses holds the mean loss over all data after each epoch"""
    # the run of test_train_converges (the same data and call: it runs once, see Session.call's shared)
    features, labels = make_regression(TRUE_W, TRUE_B, PUBLIC_N, PUBLIC_SEED)
    w, b, losses = unpack_train(run_train(student, features, labels, **PUBLIC_HYPER), 2)
    figures.record("loss_curve", function="train", losses=[v for v in losses if isinstance(v, float)])
    epochs = PUBLIC_HYPER["num_epochs"]
    expect_true(len(losses) == epochs and all(isinstance(v, float) for v in losses),
                text("ex2.losses_list", got=fmt(losses)), expected=text("detail.float_list", count=epochs),
                hint="ex2.hint.losses_floats")
    final = float(np.mean((features.double().numpy() @ w + b - labels.double().numpy()) ** 2 / 2))
    # float32 training arithmetic: 5% relative (or 1e-6 absolute) covers rounding of a ~5e-5 loss
    expect_true(abs(losses[-1] - final) <= 1e-6 + 0.05 * final, text("ex2.last_loss"),
                expected=text("detail.final_loss", value=f"{final:.6g}"),
                got=f"{losses[-1]:.6g}", hint="ex2.hint.losses_mean")
    expect_true(losses[0] > losses[-1] or losses[0] < 1e-3, text("ex2.losses_not_decreasing"), got=fmt(losses),
                hint="ex2.hint.losses_mean")
    # a property of a train that trains: made-up losses that end at the start's true loss have it too
    expect_true(_train_fits(student), text("expect.only_when_right", function="train"), hint="hint.fix_values_first")


def _train_fits(student) -> bool:
    """Whether train recovers the public line (test_train_converges's run: a shared call, it runs once; an
    error in it is raised here too, and the report shows it once)."""
    features, labels = make_regression(TRUE_W, TRUE_B, PUBLIC_N, PUBLIC_SEED)
    try:
        w, b, _ = unpack_train(run_train(student, features, labels, **PUBLIC_HYPER), 2)
    except CheckFailed:
        return False
    return bool(converged(w, b, TRUE_W, TRUE_B, PUBLIC_TOL))


@check(points=2, function="train")
def test_train_zero_epochs(student):
    """train: num_epochs=0 returns the initial w ~ N(0, 0.01), b = 0"""
    features, labels = make_regression(TRUE_W, TRUE_B, 100, 26)
    w, b, losses = unpack_train(run_train(student, features, labels, num_epochs=0), 2)
    # 0.06 is 6 standard deviations of N(0, 0.01)
    expect_true(losses == [] and np.all(np.abs(w) < 0.06) and np.all(b == 0.0), text("ex2.zero_epochs"),
                expected=text("detail.initial_params"),
                got=f"w = {fmt(w.ravel())}, b = {fmt(b)}, losses = {fmt(losses)}", hint="ex2.hint.honour_epochs")
    # a property of a train that trains: one that returns its starting point whatever it is asked has it too
    expect_true(_train_fits(student), text("expect.only_when_right", function="train"), hint="hint.fix_values_first")

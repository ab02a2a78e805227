"""Public checks for exercise 2: linear regression from scratch in PyTorch.

Expected values are computed here with torch (autograd in float64 where a
gradient is checked), never from the reference solution.
"""

import numpy as np
import torch

from autograder.checking import (
    REGULAR,
    RemoteTensor,
    StudentException,
    check,
    expect_array,
    expect_tensor,
    expect_tensor_form,
    expect_true,
    fail,
    figures,
    fmt,
    neighbours,
    probe_left_alone,
    text,
)
from autograder.checks.ex2_sgd import loop_path, sgd_call, sgd_loop, unmoved_hint
from autograder.checks.ex2_support import (
    CORRELATION,
    DEFAULT_HYPER,
    EX2,
    KURTOSIS_NOISE,
    KURTOSIS_X,
    PUBLIC_HYPER,
    PUBLIC_N,
    PUBLIC_SEED,
    PUBLIC_TOL,
    batches_of,
    check_known_converges,
    expect_known_run,
    expect_loss_tensor,
    indexed_data,
    kurtosis_of,
    labels_of,
    make_regression,
    rows_of,
    run_known_pieces,
    sizes_cause,
    statistics_hold,
    synthetic_statistics,
    tensor_pair,
)

EXERCISE = EX2
CHANGES_ARGUMENTS = {"sgd": ("params",)}  # sgd updates the tensors of its list in place (its docstring says so)
TRUE_W, TRUE_B = [2.0, -3.4], 4.2
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}  # float32 arithmetic, a few roundings apart


@check(points=2, function="synthetic_data")
def test_synthetic_data_shapes(student):
    """synthetic_data: X (n, d) and y (n, 1), both float32"""
    X, y = tensor_pair(student.ex2.synthetic_data(torch.tensor(TRUE_W), TRUE_B, 50), "synthetic_data")
    for label, value, shape in (("X", X, (50, 2)), ("y", y, (50, 1))):
        expect_true(
            value.shape == shape,
            text("expect.shape", what=text("ex2.what.returned_by", label=label, call="synthetic_data(w, b, 50)")),
            expected=str(shape),
            got=str(value.shape),
            hint="ex2.hint.label_column" if label == "y" else "hint.shape",
        )
        expect_true(
            value.dtype == "torch.float32",
            text("expect.dtype", what=text("ex2.what.returned_by", label=label, call="synthetic_data(w, b, 50)")),
            expected="torch.float32",
            got=value.dtype,
            hint="hint.dtype",
        )
    # a property of data drawn as asked: constants of the right shape have it too
    expect_true(
        statistics_hold(*synthetic_statistics(student)),
        text("expect.only_when_right", function="synthetic_data"),
        advice="hint.fix_values_first",
    )


@check(points=3, function="synthetic_data")
def test_synthetic_data_statistics(student):
    """synthetic_data: X from N(0, 1), y = Xw + b plus noise of std 0.01"""
    x, noise = synthetic_statistics(student)
    # the mean of 40000 N(0,1) draws has std 0.005, their std has std 0.0035: 0.03 is > 6 sigma
    expect_true(
        abs(x.mean()) < 0.03 and abs(x.std() - 1.0) < 0.03,
        text("ex2.features_not_normal"),
        expected=text("ex2.detail.mean_std", mean=0, std=1),
        got=text("ex2.detail.mean_std", mean=f"{x.mean():.4f}", std=f"{x.std():.4f}"),
        hint="ex2.hint.features_normal",
    )
    kurtosis = kurtosis_of(x.ravel())
    expect_true(
        abs(kurtosis - 3) < KURTOSIS_X,
        text("ex2.features_not_gaussian", kurtosis=f"{kurtosis:.3f}"),
        hint="ex2.hint.features_normal",
    )
    correlation = float(np.corrcoef(x[:, 0], x[:, 1])[0, 1])
    expect_true(
        abs(correlation) < CORRELATION,
        text("ex2.features_correlated", corr=f"{correlation:.3f}"),
        hint="ex2.hint.features_normal",
    )
    # the noise std estimate from 20000 draws has std 5e-5, so [0.009, 0.011] is > 20 sigma wide
    # (0.01**2 given as the standard deviation: the variance of N(0, 0.01**2) taken for its std)
    hint = (
        "ex2.hint.no_noise"
        if noise.std() < 1e-6
        else "ex2.hint.noise_variance"
        if 0.8e-4 < noise.std() < 1.2e-4
        else "ex2.hint.noise_std"
    )
    expect_true(
        abs(noise.mean()) < 1e-3 and 0.009 < noise.std() < 0.011,
        text("ex2.noise_wrong"),
        expected=text("ex2.detail.mean_std", mean=0, std=0.01),
        got=text("ex2.detail.mean_std", mean=f"{noise.mean():.5f}", std=f"{noise.std():.5f}"),
        hint=hint,
    )
    kurtosis = kurtosis_of(noise)
    expect_true(
        abs(kurtosis - 3) < KURTOSIS_NOISE,
        text("ex2.noise_not_gaussian", kurtosis=f"{kurtosis:.3f}"),
        hint="ex2.hint.noise_std",
    )
    # another line, with three features: the labels follow the w and b given, not the course's
    w, b, n = [1.5, -0.7, 3.0], -2.0, 5000
    X, y = tensor_pair(student.ex2.synthetic_data(torch.tensor(w), b, n), "synthetic_data")
    if X.shape != (n, 3) or y.shape != (n, 1):
        fail(
            text("expect.shape", what=f"synthetic_data(w, {b}, {n})"),
            expected=text("ex2.detail.two", first=(n, 3), second=(n, 1)),
            got=text("ex2.detail.two", first=X.shape, second=y.shape),
            hint="ex2.hint.uses_w_b",
        )
    residual = y.values.astype(np.float64).ravel() - (X.values.astype(np.float64) @ np.array(w) + b)
    # 5000 noise draws: their mean has std 1.4e-4 and their std 1e-4, so 1e-3 and [0.009, 0.011] are > 7 sigma
    expect_true(
        abs(residual.mean()) < 1e-3 and 0.009 < residual.std() < 0.011,
        text("ex2.other_line", w=w, b=b),
        expected=text("ex2.detail.mean_std", mean=0, std=0.01),
        got=text("ex2.detail.mean_std", mean=f"{residual.mean():.5f}", std=f"{residual.std():.5f}"),
        hint="ex2.hint.uses_w_b",
    )


@check(points=3, function="data_iter")
def test_data_iter_coverage(student):
    """data_iter: every example exactly once, the last batch shorter"""
    features, labels = indexed_data(53)
    items = batches_of(student.ex2.data_iter(10, features, labels), text("ex2.what.data_iter_n", batch_size=10, n=53))
    sizes = [X.shape[0] for X, _ in items]
    figures.record(
        "batches", function="data_iter", n=53, batches=[[r for r in rows_of(X) if r >= 0][:100] for X, _ in items[:60]]
    )
    expect_true(
        sizes == [10, 10, 10, 10, 10, 3],
        text("ex2.batch_sizes"),
        expected="[10, 10, 10, 10, 10, 3]",
        got=str(sizes[:20]),
        **sizes_cause(sizes, 53, 10),
    )
    for X, y in items:
        expect_true(
            X.shape[1:] == (2,) and y.shape[1:] == (1,) and X.dtype == y.dtype == "torch.float32",
            text("ex2.batch_shapes"),
            expected=text("ex2.detail.two", first="(k, 2)", second="(k, 1), float32"),
            got=text("ex2.detail.two", first=X.shape, second=f"{y.shape}, {X.dtype}"),
            hint="ex2.hint.index_rows",
        )
    seen = sorted(r for X, _ in items for r in rows_of(X))  # -1: not one of the examples
    duplicates = len(seen) - len(set(seen))
    expect_true(
        seen == list(range(53)),
        text("ex2.coverage", duplicates=duplicates, missing=53 - len(set(seen))),
        hint="ex2.hint.duplicates" if duplicates else "ex2.hint.batch_sizes",
    )


@check(points=2, function="data_iter")
def test_data_iter_pairing(student):
    """data_iter: each example keeps its own label"""
    features, labels = indexed_data(40)
    items = batches_of(student.ex2.data_iter(8, features, labels), "data_iter(8, features, labels)")
    sizes = [X.shape[0] for X, _ in items]  # (another batch size than the other checks' 10)
    expect_true(
        sizes == [8] * 5,
        text("ex2.batch_sizes"),
        expected=str([8] * 5),
        got=str(sizes[:20]),
        **sizes_cause(sizes, 40, 8),
    )
    for X, y in items:
        if X.shape[0] != y.shape[0] or X.values.ndim != 2:
            fail(
                text("ex2.batch_shapes"),
                expected=text("ex2.detail.as_many_labels"),
                got=text("ex2.detail.two", first=X.shape, second=y.shape),
                hint="ex2.hint.separate_shuffle",
            )
        wanted = labels_of(X, labels)
        expect_true(
            np.array_equal(wanted, y.values.ravel()),
            text("ex2.unpaired"),
            expected=text("ex2.detail.labels", labels=fmt(wanted)),
            got=text("ex2.detail.labels", labels=fmt(y.values.ravel())),
            hint="ex2.hint.separate_shuffle",
        )


@check(points=2, function="data_iter")
def test_data_iter_shuffles(student):
    """data_iter: a random order, and a fresh one on every call"""
    features, labels = indexed_data(100)
    orders = []
    for _ in range(2):
        items = batches_of(student.ex2.data_iter(10, features, labels), "data_iter(10, features, labels)")
        orders.append([r for X, _ in items for r in rows_of(X)])
    expect_true(
        orders[0] != list(range(100)),
        text("ex2.not_shuffled"),
        got=str(orders[0][:12]) + " ...",
        hint="ex2.hint.no_shuffle",
    )
    expect_true(
        orders[0] != orders[1],
        text("ex2.same_order"),
        got=text("ex2.detail.both_times", order=str(orders[0][:12])),
        hint="ex2.hint.same_order",
    )
    for order in orders:  # reversed, rotated, or one of a few fixed orders: made by a rule, not by chance
        count = neighbours(order)
        expect_true(
            count < REGULAR,
            text("ex2.order_regular", count=count, n=len(order)),
            got=str(order[:12]) + " ...",
            hint="ex2.hint.no_shuffle",
        )
    # a property of batches that hold every example once, each with its own label (any garbage has it too)
    paired = all(X.shape[0] == y.shape[0] and np.array_equal(labels_of(X, labels), y.values.ravel()) for X, y in items)
    expect_true(
        paired and sorted(orders[1]) == list(range(100)),
        text("expect.only_when_right", function="data_iter"),
        advice="hint.fix_values_first",
    )


@check(points=2, function="linreg")
def test_linreg(student):
    """linreg: X @ w + b, one prediction per example, shape (n, 1), with a gradient for w and b"""
    generator = torch.Generator().manual_seed(21)
    X, w, b = torch.randn(6, 3, generator=generator), torch.randn(3, 1, generator=generator), torch.tensor([0.5])
    expected = (X.double() @ w.double() + b.double()).numpy()
    answer = student.ex2.linreg(X, w.clone().requires_grad_(True), b.clone().requires_grad_(True))
    got = expect_tensor(
        answer,
        expected,
        what=text("ex2.what.linreg"),
        **FLOAT32,
        shape_hints={(6,): "ex2.hint.linreg_shape", (6, 6): "ex2.hint.linreg_shape"},
        mistakes=[("ex2.hint.linreg_bias", (X.double() @ w.double()).numpy())],
    )
    # and on other inputs, of other sizes (4 examples, 2 features)
    X2, w2, b2 = torch.randn(4, 2, generator=generator), torch.randn(2, 1, generator=generator), torch.tensor([-1.5])
    expect_tensor(
        student.ex2.linreg(X2, w2, b2),
        (X2.double() @ w2.double() + b2.double()).numpy(),
        what=text("ex2.what.linreg_other"),
        **FLOAT32,
        shape_hints={(4,): "ex2.hint.linreg_shape", (4, 4): "ex2.hint.linreg_shape"},
        mistakes=[("ex2.hint.linreg_bias", (X2.double() @ w2.double()).numpy())],
    )
    # the gradients of sum(upstream * linreg(X, w, b)), taken through the learner's linreg, against X.T @ upstream
    # and the sum of upstream, computed here: only a result connected to w and b has them
    upstream = torch.linspace(-1.0, 2.0, 6).reshape(6, 1)
    try:
        grads = probe_left_alone(
            student.session,
            EX2,
            "linreg_grads",
            X,
            w.clone().requires_grad_(True),
            b.clone().requires_grad_(True),
            upstream,
            function="linreg",
            names=("X", "w", "b"),
        )
    except StudentException as error:
        error.hint = "ex2.hint.linreg_detached"
        raise
    if not (isinstance(grads, tuple) and len(grads) == 2):
        fail(text("ex2.linreg_no_gradient"), got=fmt(grads), hint="ex2.hint.linreg_detached")
    w_grad = (X.double().T @ upstream.double()).numpy()
    for name, value, want in (("w", grads[0], w_grad), ("b", grads[1], upstream.double().sum(0).numpy())):
        expect_tensor(
            value,
            want,
            what=text("ex2.what.linreg_grad", name=name),
            **FLOAT32,
            default_hint="ex2.hint.linreg_detached" if got.grad_fn is None else "hint.formula",
        )


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
        expect_loss_tensor(
            student.ex2.squared_loss(y_hat, labels),
            expected,
            what=text("ex2.what.squared_loss", n=6, label=label),
            shape_hints=shape_hints,
            mistakes=mistakes,
        )


# float64 on both sides, one product and one subtraction per entry: only rounding differs
GRAD64 = {"rtol": 1e-9, "atol": 1e-12}


@check(points=2, function="squared_loss")
def test_squared_loss_autograd(student):
    """squared_loss: its gradient with respect to y_hat matches torch.autograd"""
    # The gradient of sum(upstream * squared_loss(y_hat, y)) with respect to y_hat, taken through the learner's
    # loss in the sandbox, against torch.autograd of the correct formula here: a value the learner's code
    # must produce. A loss cut from the graph (.detach(), a detour through NumPy, a new tensor made from its
    # values) has none, whatever it says about itself.
    y_hat, y = _loss_inputs(5, 23, torch.float64)
    labels = y.reshape(-1)
    upstream = torch.linspace(0.5, 2.5, 5, dtype=torch.float64).reshape(5, 1)
    reference_input = y_hat.clone().requires_grad_(True)
    ((reference_input - y) ** 2 / 2 * upstream).sum().backward()
    expected = reference_input.grad.numpy()
    what = text("ex2.what.squared_loss", n=5, label="(5,)")
    shape_hints = {(5, 5): "ex2.hint.missing_reshape", (): "ex2.hint.loss_reduced", (1,): "ex2.hint.loss_reduced"}
    expect_tensor_form(
        student.ex2.squared_loss(y_hat.clone(), labels),
        (5, 1),
        what=what,
        dtype="torch.float64",
        shape_hints=shape_hints,
    )
    try:
        grad = probe_left_alone(
            student.session,
            EX2,
            "loss_grad",
            y_hat.clone().requires_grad_(True),
            labels,
            upstream,
            function="squared_loss",
            names=("y_hat", "y"),
        )
    except StudentException as error:  # (`//` is the one operation of a loss that autograd cannot follow)
        error.hint = (
            "ex2.diagnosis.floor_no_gradient"
            if "floor_divide" in str(error.detail.get("message", ""))
            else "ex2.hint.detached"
        )
        raise
    expect_tensor(
        grad,
        expected,
        what=text("ex2.what.squared_loss_grad"),
        dtype="torch.float64",
        **GRAD64,
        mistakes=[("ex2.hint.loss_missing_half", 2 * expected)],
        default_hint="ex2.hint.detached",
    )


# one step on given gradients: (lr, batch_size) differ from each other and from the calls in the loop checks
SGD_STEPS = ((0.1, 4), (0.03, 7))


@check(points=3, function="sgd")
def test_sgd_step(student):
    """sgd: each p moves by -lr * p.grad / batch_size, in place, returning None"""
    for lr, batch_size in SGD_STEPS:
        value, before, grads, after = sgd_call(student, lr, batch_size)
        if not (isinstance(after, list) and len(after) == 2 and all(isinstance(p, RemoteTensor) for p in after)):
            fail(text("ex2.sgd_params"), got=fmt(after), hint="ex2.hint.rebinding")
        for name, old, grad, new in zip(("w", "b"), before, grads, after, strict=True):
            expected = old - lr * grad / batch_size
            if np.array_equal(new.values, old):
                fail(
                    text("ex2.sgd_unchanged", name=name),
                    expected=fmt(expected),
                    got=fmt(new.values),
                    hint=unmoved_hint(student),
                )
            expect_tensor(
                new,
                expected,
                what=text("ex2.what.after_sgd", name=name, lr=lr, batch_size=batch_size),
                **FLOAT32,
                mistakes=[
                    ("ex2.hint.sgd_batch_size", old - lr * grad),
                    ("ex2.hint.sgd_len_params", old - lr * grad / 2),
                    ("hint.sign", old + lr * grad / batch_size),
                    ("ex2.hint.sgd_batch_size", old - lr * grad / batch_size**2),
                    ("ex2.hint.sgd_lr_fixed", old - 0.1 * grad / batch_size),
                    ("ex2.hint.sgd_lr_fixed", old - 0.03 * grad / batch_size),
                ],
            )
        expect_true(value is None, text("ex2.sgd_returns"), got=fmt(value), hint="ex2.hint.sgd_returns")


@check(points=3, function="sgd")
def test_sgd_in_place(student):
    """sgd: in a training loop, updates the same tensors in place and records no history"""
    # three steps of a loop (forward, backward, the learner's sgd) on the same w and b: each backward() needs them
    # to be leaves that still require a gradient, and each step must move the tensors the loop holds. Each
    # gradient starts from None here, so zeroing (the next check) plays no part.
    lr, batch_size = 0.05, 5
    got, (X, y, w, b) = sgd_loop(student, lr, batch_size, 3, fresh_grads=True)
    start = np.concatenate([w.numpy().ravel(), b.numpy().ravel()]).astype(np.float64)
    expected = loop_path(X, y, w, b, lr, batch_size, 3)
    expect_array(
        got,
        expected,
        what=text("ex2.what.sgd_loop", steps=3, lr=lr, batch_size=batch_size),
        dtype=None,
        **FLOAT32,
        mistakes=[(unmoved_hint(student), start), ("ex2.hint.sgd_len_params", loop_path(X, y, w, b, lr, 2, 3))],
        default_hint="ex2.hint.sgd_step",
    )


@check(points=2, function="sgd")
def test_sgd_zeroes_grad(student):
    """sgd: zeroes each p.grad, so that the next step uses only the next gradient"""
    lr, batch_size = 0.2, 3
    got, (X, y, w, b) = sgd_loop(student, lr, batch_size, 3, fresh_grads=False)
    expected = loop_path(X, y, w, b, lr, batch_size, 3)
    expect_array(
        got,
        expected,
        what=text("ex2.what.sgd_loop", steps=3, lr=lr, batch_size=batch_size),
        dtype=None,
        **FLOAT32,
        mistakes=[
            ("ex2.hint.zero_grad", loop_path(X, y, w, b, lr, batch_size, 3, True)),
            ("ex2.hint.sgd_len_params", loop_path(X, y, w, b, lr, 2, 3)),
        ],
        default_hint="ex2.hint.sgd_step",
    )


@check(points=4, function="train")
def test_train_converges(student):
    """train: recovers w = [2, -3.4] and b = 4.2, by the steps of its docstring's loop"""
    # lr=0.1, 3 epochs, batch 10 on 340 examples (102 steps, ex2_support.PUBLIC_HYPER): the docstring's loop ends
    # within 2.4e-3 of the truth on every calibration seed; 0.02 leaves a wide margin. Known-good pieces stand in
    # for the learner's four, which have checks of their own: the loop is graded alone, step for step.
    check_known_converges(student, TRUE_W, TRUE_B, n=PUBLIC_N, seed=PUBLIC_SEED, tol=PUBLIC_TOL, **PUBLIC_HYPER)


@check(points=2, function="train")
def test_train_losses(student):
    """train: losses holds the mean loss over all data after each epoch"""
    # the run of test_train_converges (the same probe and arguments: a shared call, it runs once)
    features, labels = make_regression(TRUE_W, TRUE_B, PUBLIC_N, PUBLIC_SEED)
    result = run_known_pieces(student, features, labels, **PUBLIC_HYPER, seed=PUBLIC_SEED)
    expect_known_run(result, features, labels, **PUBLIC_HYPER, seed=PUBLIC_SEED)


# runs of the loop with known-good pieces: every hyperparameter other than in the public run and than its default,
# no epoch at all, and the defaults themselves (left out of the call)
FOLLOW_RUNS = ({"lr": 0.05, "num_epochs": 2, "batch_size": 7}, {"lr": 0.2, "num_epochs": 0, "batch_size": 16})


@check(points=2, function="train")
def test_train_follows_its_arguments(student):
    """train: uses lr, num_epochs and batch_size (num_epochs=0 returns the initial w and b)"""
    features, labels = make_regression([1.0, -0.5], 0.7, 60, 26)
    for index, run in enumerate(FOLLOW_RUNS):
        result = run_known_pieces(student, features, labels, **run, seed=30 + index)
        expect_known_run(result, features, labels, **run, seed=30 + index)
    result = run_known_pieces(student, features, labels, **DEFAULT_HYPER, seed=33, defaults=True)
    expect_known_run(result, features, labels, **DEFAULT_HYPER, seed=33)

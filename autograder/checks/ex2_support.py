"""What exercise 2's checks share (not a check module itself): data from a known line, and `train` graded step by
step with known-good pieces in place of the learner's four; synthetic_data's draws and data_iter's batches read
back (the public checks'). ``ex2_sgd`` holds sgd's."""

from __future__ import annotations

import numpy as np
import torch

from autograder.checking import (
    Generated,
    RemoteTensor,
    StudentException,
    expect_array,
    expect_tensor,
    fail,
    figures,
    fmt,
    fmt_values,
    in_sandbox_module,
    known_cause,
    probe_left_alone,
    remembered,
    text,
    type_hint,
    within,
)
from autograder.checks.synthetic import make_regression

EX2 = "ex2_linear_regression"
STANDARD_W, STANDARD_B = [2.0, -3.4], 4.2  # the course's line (the public train checks use it too)
# The public train checks' run: test_train_converges and test_train_losses read the same one (a shared call,
# so the very same arguments). 340 examples, 3 epochs of batches of 10 at lr=0.1: 102 steps
# (scripts/calibration/ex2_linear_regression.py).
PUBLIC_N, PUBLIC_SEED, PUBLIC_TOL = 340, 24, 0.02
PUBLIC_HYPER = {"lr": 0.1, "num_epochs": 3, "batch_size": 10}


def unpack_train(result, d):
    """Validate ``train``'s return value: (w (d, 1), b (1,), losses list); returns numpy arrays."""
    if not isinstance(result, tuple) or len(result) != 3:
        fail(text("ex2.train_triple"), got=fmt(result), hint="ex2.hint.train_return")
    w, b, losses = result
    for label, value, shape in (("w", w, (d, 1)), ("b", b, (1,))):
        if not isinstance(value, RemoteTensor):
            fail(
                text(
                    "expect.type_tensor", what=text("ex2.what.returned_by", label=label, call="train"), got=fmt(value)
                ),
                hint=type_hint(value, "tensor") if value is None or hasattr(value, "ndim") else "ex2.hint.train_return",
            )
        if value.shape != shape:
            fail(
                text("expect.shape", what=text("ex2.what.returned_by", label=label, call="train")),
                expected=str(shape),
                got=str(value.shape),
                hint="ex2.hint.param_shapes",
            )
    if not isinstance(losses, list):
        fail(text("ex2.losses_list", got=fmt(losses)), hint="ex2.hint.losses_floats")
    return w.values.astype(np.float64), b.values.astype(np.float64), losses


def converged(w, b, true_w, true_b, tol):
    return (
        np.all(np.isfinite(w))
        and np.all(np.isfinite(b))
        and np.max(np.abs(w.ravel() - np.asarray(true_w))) <= tol
        and abs(float(b[0]) - true_b) <= tol
    )


@remembered
def reference_curve(features, labels, lr, num_epochs, batch_size, seed=0):
    """The mean loss after each epoch of a correct loop on the same data, for the picture: library pieces
    (``torch.optim.SGD`` on the mean of the batch's losses), in this process."""
    generator = torch.Generator().manual_seed(seed)
    w = (torch.randn(features.shape[1], 1, generator=generator) * 0.01).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    curve = []
    for _epoch in range(num_epochs):
        for chunk in torch.split(torch.randperm(len(features), generator=generator), batch_size):
            optimizer.zero_grad()
            (torch.nn.functional.mse_loss(torch.addmm(b, features[chunk], w), labels[chunk]) / 2).backward()
            optimizer.step()
        curve.append(float(torch.nn.functional.mse_loss(torch.addmm(b, features, w), labels).detach()) / 2)
    return curve


def record_training(features, labels, w, b, losses, true_w, true_b, hyper):
    """The learner's loss per epoch (always: the report's sparkline) and, for pictures, the reference loop's
    curve on the same data and the recovered parameters against the true ones."""
    numbers = [v for v in losses if isinstance(v, float)] if isinstance(losses, list) else []
    if not figures.wanted():
        figures.record("loss_curve", function="train", losses=numbers)
        return
    lr, epochs, batch_size = hyper.get("lr", 0.03), hyper.get("num_epochs", 3), hyper.get("batch_size", 10)
    figures.record(
        "loss_curve",
        function="train",
        losses=numbers,
        reference=reference_curve(features, labels, lr, epochs, batch_size),
    )
    figures.record(
        "parameters",
        function="train",
        names=[f"w[{i}]" for i in range(len(true_w))] + ["b"],
        learner=[float(v) for v in w.ravel()] + [float(b[0])],
        truth=[float(v) for v in true_w] + [float(true_b)],
    )


def tensor_param(values, grad, dtype=torch.float32):
    param = torch.tensor(values, dtype=dtype)
    param.grad = torch.tensor(grad, dtype=dtype)
    return param.requires_grad_(True)


def expect_loss_tensor(got, expected, what, shape_hints=None, mistakes=()):
    return expect_tensor(
        got,
        expected,
        what=what,
        rtol=1e-5,
        atol=1e-6,
        dtype="torch.float32",
        shape_hints=shape_hints,
        mistakes=mistakes,
    )


# ----------------------------------------------------------------- train, step by step

RUN32 = {"rtol": 1e-4, "atol": 1e-6}  # a float32 training run, the same steps: a few roundings apart per step
DEFAULT_HYPER = {"lr": 0.03, "num_epochs": 3, "batch_size": 10}  # train's signature (the docstring's)


@remembered  # the same for every submission
def known_train(features, labels, lr, num_epochs, batch_size, seed, mistake=None):
    """(w, b, losses) of train's docstring loop with the known-good pieces the probe swaps in
    (``train_with_known_pieces``), from ``seed``: the same random draws in the same order (the starting w, then
    one permutation per epoch), the same float32 arithmetic. Written with ``torch.autograd.grad``.

    ``mistake``: "mean_loss" (the mean of a batch's losses backpropagated, so sgd divides twice),
    "last_batch_loss" (the loss of an epoch's last batch recorded), or None.
    """
    pieces = in_sandbox_module(EX2)
    generator = torch.Generator().manual_seed(seed)
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), generator=generator)
    b = torch.zeros(1)
    curve = []
    for _epoch in range(num_epochs):
        for rows in torch.split(torch.randperm(len(features), generator=generator), batch_size):
            w, b = w.requires_grad_(True), b.requires_grad_(True)
            each = pieces._library_squared_loss(pieces._library_linreg(features[rows], w, b), labels[rows])
            grad_w, grad_b = torch.autograd.grad(each.mean() if mistake == "mean_loss" else each.sum(), (w, b))
            w = torch.sub(w.detach(), grad_w, alpha=lr / batch_size)
            b = torch.sub(b.detach(), grad_b, alpha=lr / batch_size)
        every = pieces._library_squared_loss(pieces._library_linreg(features, w, b), labels)  # (w, b: no graph)
        curve.append(float(each.detach().mean() if mistake == "last_batch_loss" else every.mean()))
    return w.numpy().astype(np.float64), b.numpy().astype(np.float64), curve


def run_known_pieces(student, features, labels, lr, num_epochs, batch_size, seed, defaults=False):
    """The learner's train with known-good pieces, from ``seed`` (a shared call: checks on the same run read one).
    The docstring loop's run, which the checks compare it with, is computed meanwhile (``ahead``)."""
    known_train.ahead(features, labels, lr, num_epochs, batch_size, seed)
    try:
        return probe_left_alone(
            student.session,
            EX2,
            "train_with_known_pieces",
            features,
            labels,
            lr,
            num_epochs,
            batch_size,
            seed,
            defaults,
            function="train",
            names=("features", "labels"),
            shared=True,
        )
    except StudentException as error:
        message = str(error.detail.get("message", ""))
        # the known-good sgd met a .grad that is None: the loop never called backward() before it
        missing = "NoneType" in message and "sub_" in message
        error.hint = (
            getattr(error, "hint", None)
            or ("hint.grad_is_none" if missing else None)
            or known_cause(error)
            or "ex2.hint.train_follow"
        )
        raise


def train_mistakes(features, labels, lr, num_epochs, batch_size, seed) -> list:
    """(hint, (w, b, losses)) of the classic ways a train loop goes astray on this run."""
    X, y = features.double().numpy(), labels.double().numpy()
    A = np.concatenate([X, np.ones((len(X), 1))], axis=1)
    solution, *_ = np.linalg.lstsq(A, y, rcond=None)
    found = [("ex2.hint.closed_form", (solution[:-1], solution[-1:, 0], None))]
    found += [
        ("ex2.hint.mean_then_batch", known_train(features, labels, lr, num_epochs, batch_size, seed, "mean_loss")),
        ("ex2.hint.losses_mean", known_train(features, labels, lr, num_epochs, batch_size, seed, "last_batch_loss")),
    ]
    for name, value in (("lr", lr), ("num_epochs", num_epochs), ("batch_size", batch_size)):
        if value != DEFAULT_HYPER[name]:
            hyper = {"lr": lr, "num_epochs": num_epochs, "batch_size": batch_size, name: DEFAULT_HYPER[name]}
            found.append((f"ex2.hint.ignores_{name}", known_train(features, labels, **hyper, seed=seed)))
    # the epoch loop one time too many or too few, after a num_epochs left at its default (as exercise 1 orders
    # them): where num_epochs + 1 or - 1 is the default's, one run cannot tell the two apart; the others can
    found.append(("ex2.hint.epochs_one_more", known_train(features, labels, lr, num_epochs + 1, batch_size, seed)))
    if num_epochs > 1:
        found.append(("ex2.hint.epochs_one_short", known_train(features, labels, lr, num_epochs - 1, batch_size, seed)))
    return found


def expect_known_run(result, features, labels, lr, num_epochs, batch_size, seed, losses_too=True):
    """train's (w, b[, losses]) with known-good pieces equal the docstring loop's from the same seed."""
    d = features.shape[1]
    w, b, losses = unpack_train(result, d)
    want_w, want_b, want_losses = known_train(features, labels, lr, num_epochs, batch_size, seed)
    call = text("ex2.what.train_run", lr=lr, num_epochs=num_epochs, batch_size=batch_size)
    got = np.concatenate([w.ravel(), b.ravel()])
    expected = np.concatenate([want_w.ravel(), want_b.ravel()])
    if not within(got, expected, **RUN32):
        mistakes = [
            (hint, np.concatenate([np.ravel(v[0]), np.ravel(v[1])]))
            for hint, v in train_mistakes(features, labels, lr, num_epochs, batch_size, seed)
        ]
        expect_array(
            got,
            expected,
            what=text("ex2.what.train_params", call=call),
            dtype=None,
            mistakes=mistakes,
            default_hint="ex2.hint.train_follow",
            **RUN32,
        )
    if not losses_too:
        return
    if not (isinstance(losses, list) and len(losses) == num_epochs and all(isinstance(v, float) for v in losses)):
        fail(
            text("ex2.losses_list", got=fmt(losses)),
            expected=text("detail.float_list", count=num_epochs),
            hint="ex2.hint.losses_floats",
        )

    def mistakes():  # (only for wrong losses: they are training runs)
        return [
            (hint, v[2])
            for hint, v in train_mistakes(features, labels, lr, num_epochs, batch_size, seed)
            if v[2] is not None and len(v[2]) == num_epochs
        ]

    if num_epochs:
        expect_array(
            np.array(losses),
            np.array(want_losses),
            what=text("ex2.what.train_losses", call=call),
            dtype=None,
            mistakes=mistakes,
            default_hint="ex2.hint.losses_mean",
            **RUN32,
        )


def check_known_converges(student, true_w, true_b, n, seed, tol, **hyper):
    """train, with known-good pieces, on data from a known line: it gets within ``tol`` of the true parameters, by
    the steps of its docstring's loop from ``seed`` (the learner's train is graded alone: their four functions
    have checks of their own)."""
    features, labels = make_regression(true_w, true_b, n, seed)
    result = run_known_pieces(student, features, labels, **hyper, seed=seed)
    w, b, losses = unpack_train(result, len(true_w))
    record_training(features, labels, w, b, losses, true_w, true_b, hyper)
    expect_known_run(result, features, labels, **hyper, seed=seed, losses_too=False)
    if not converged(w, b, true_w, true_b, tol):  # (the docstring's steps get there: the calibration shows it)
        fail(
            text("ex2.not_converged", epochs=hyper["num_epochs"], tol=tol),
            expected=f"w = {[float(v) for v in true_w]}, b = {float(true_b)}",
            got=f"w = {fmt_values(w.ravel())}, b = {fmt_values(b)}",
            hint="ex2.hint.train_follow",
        )
    return features, labels


# ----------------------------------------------------------------- synthetic_data and data_iter, read back


def tensor_pair(result, what):
    if not isinstance(result, tuple) or len(result) != 2:
        fail(text("ex2.pair", what=what), got=fmt(result), hint="hint.return_pair")
    for value in result:
        if not isinstance(value, RemoteTensor):
            fail(text("expect.type_tensor", what=what, got=fmt(value)), hint=type_hint(value, "tensor"))
    return result


def kurtosis_of(values) -> float:
    """E[(v - mean)^4] / std^4: 3 for a normal distribution, 1.8 for a uniform one."""
    centred = values - values.mean()
    squared = centred * centred  # (not ** 4: NumPy's general power, tens of times slower on the 40000 draws)
    variance = np.mean(squared)
    return float(np.mean(squared * squared) / variance**2) if variance > 0 else float("nan")


def synthetic_statistics(student):
    """synthetic_data's 20000 draws (features and noise) as float64 arrays, after the shape checks (a shared
    call: the shapes check's guard and the statistics check read one run)."""
    n = 20000
    X, y = tensor_pair(
        student.ex2.synthetic_data(torch.tensor(STANDARD_W), STANDARD_B, n, shared=True), "synthetic_data"
    )
    if X.shape != (n, 2) or y.shape != (n, 1):
        fail(
            text("expect.shape", what="synthetic_data"),
            expected=text("ex2.detail.two", first=(n, 2), second=(n, 1)),
            got=text("ex2.detail.two", first=X.shape, second=y.shape),
            hint="ex2.hint.label_column",
        )
    x = X.values.astype(np.float64)
    return x, y.values.astype(np.float64).ravel() - (x @ np.array(STANDARD_W) + STANDARD_B)


# 40000 N(0, 1) draws: their kurtosis has std sqrt(24 / 40000) = 0.025, so 0.25 is 10 sigma; the noise's 20000
# draws: std 0.035, 0.3 is > 8 sigma; the correlation of two independent columns: std 0.007, 0.05 is 7 sigma
KURTOSIS_X, KURTOSIS_NOISE, CORRELATION = 0.25, 0.3, 0.05


def statistics_hold(x, noise) -> bool:
    return bool(
        abs(x.mean()) < 0.03
        and abs(x.std() - 1.0) < 0.03
        and abs(kurtosis_of(x.ravel()) - 3) < KURTOSIS_X
        and abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]) < CORRELATION
        and abs(noise.mean()) < 1e-3
        and 0.009 < noise.std() < 0.011
        and abs(kurtosis_of(noise) - 3) < KURTOSIS_NOISE
    )


def batches_of(result, what):
    if isinstance(result, Generated):
        items = result.items
        if result.truncated:  # (the worker stops reading a generator that goes on past codec's caps)
            fail(text("ex2.endless_generator"), hint="ex2.hint.loop_moves_on")
    elif isinstance(result, list):
        items = result
    else:
        fail(text("ex2.not_generator", what=what, got=fmt(result)), hint="ex2.hint.use_yield")
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, RemoteTensor) for v in item)):
            fail(text("ex2.batch_not_pair", what=what), got=fmt(item), hint="ex2.hint.yield_pair")
    return items


def indexed_data(n):
    """Row i of the features is (2i, 2i + 1), so every batch can be traced back; label i is a number that the
    features do not give away (a fixed shuffle of 0 .. n-1), so a batch's labels must come from ``labels``."""
    features = torch.arange(2 * n, dtype=torch.float32).reshape(n, 2)
    labels = torch.tensor(np.random.default_rng(n).permutation(n), dtype=torch.float32).reshape(n, 1)
    return features, labels


def rows_of(X):
    """The row numbers of a batch of indexed_data's features (-1 where a row is not one of them)."""
    values = X.values[:, 0] if X.values.ndim == 2 else np.full(X.shape[:1], np.nan)
    return [int(v) // 2 if np.isfinite(v) and v >= 0 and v % 2 == 0 else -1 for v in values]


def labels_of(X, labels):
    """The labels that belong with a batch of indexed_data's features (NaN for a row that is not one of them)."""
    return np.array([labels.numpy()[r, 0] if r >= 0 else np.nan for r in rows_of(X)])


def sizes_cause(sizes, n, batch_size) -> dict:
    """The cause of wrong batch sizes, when the sizes themselves show it; otherwise what to check."""
    full, rest = [batch_size] * (n // batch_size), [n % batch_size] if n % batch_size else []
    if len(sizes) == 1 and n > batch_size and sizes[0] in (batch_size, *rest):  # one batch: the last, or the first
        return {"hint": "ex2.hint.yield_in_loop"}
    if sizes == full and rest:
        return {"hint": "ex2.hint.dropped_last"}
    if (
        sizes
        and all(size == batch_size - 1 for size in sizes[:-1])
        and sizes[-1] <= batch_size - 1
        and len(sizes) == len(full + rest)
    ):  # every slice one short: indices[i: i + batch_size - 1]
        return {"hint": "ex2.hint.slice_one_short"}
    return {"advice": "ex2.hint.batch_sizes"}

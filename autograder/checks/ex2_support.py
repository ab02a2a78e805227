"""What exercise 2's public and hidden checks share: data from a known line, and `train` graded step by step with
known-good pieces in place of the learner's four (not a check module itself)."""

from __future__ import annotations

import numpy as np
import torch

from autograder.checking import (
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

"""What exercise 2's public and hidden checks share: data from a known line, `train`'s diagnosis (not a check module itself)."""

from __future__ import annotations

import numpy as np
import torch

from autograder import figures
from autograder.expect import CheckFailed, expect_tensor, fail, fmt, labelled, type_hint
from autograder.memo import remembered
from autograder.messages import text
from autograder.explain import describe_student_error, known_cause
from autograder.sandbox.client import StudentError, StudentException
from autograder.sandbox.codec import RemoteTensor

EX2 = "ex2_linear_regression"
PIECES = ("data_iter", "linreg", "squared_loss", "sgd")
STANDARD_W, STANDARD_B = [2.0, -3.4], 4.2  # the course's line (the public train checks use it too)
# The public train checks' run: test_train_converges and test_train_losses read the same one (a shared call,
# so the very same arguments), and standard_diagnosis trains on the same data with the same hyperparameters.
# 340 examples, 3 epochs of batches of 10 at lr=0.1: 102 steps (scripts/calibration/ex2_linear_regression.py).
PUBLIC_N, PUBLIC_SEED, PUBLIC_TOL = 340, 24, 0.02
PUBLIC_HYPER = {"lr": 0.1, "num_epochs": 3, "batch_size": 10}


def make_regression(true_w, true_b, n, seed):
    """Features from N(0, 1), labels = X @ w + b + N(0, 0.01**2), float32, made here in the grader."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.tensor(true_w, dtype=torch.float32)
    X = torch.normal(0.0, 1.0, (n, len(true_w)), generator=generator)
    y = (X @ w + true_b + torch.normal(0.0, 0.01, (n,), generator=generator)).reshape(-1, 1)
    return X, y


def unpack_train(result, d):
    """Validate ``train``'s return value: (w (d, 1), b (1,), losses list); returns numpy arrays."""
    if not isinstance(result, tuple) or len(result) != 3:
        fail(text("ex2.train_triple"), got=fmt(result), hint="ex2.hint.train_return")
    w, b, losses = result
    for label, value, shape in (("w", w, (d, 1)), ("b", b, (1,))):
        if not isinstance(value, RemoteTensor):
            fail(text("expect.type_tensor", what=text("what.returned_by", label=label, call="train"), got=fmt(value)),
                 hint=type_hint(value, "tensor") if value is None or hasattr(value, "ndim") else "ex2.hint.train_return")
        if value.shape != shape:
            fail(text("expect.shape", what=text("what.returned_by", label=label, call="train")), expected=str(shape),
                 got=str(value.shape), hint="ex2.hint.param_shapes")
    if not isinstance(losses, list):
        fail(text("ex2.losses_list", got=fmt(losses)), hint="ex2.hint.losses_floats")
    return w.values.astype(np.float64), b.values.astype(np.float64), losses


def converged(w, b, true_w, true_b, tol):
    return (np.all(np.isfinite(w)) and np.all(np.isfinite(b))
            and np.max(np.abs(w.ravel() - np.asarray(true_w))) <= tol and abs(float(b[0]) - true_b) <= tol)


def diagnose_train(session, features, labels, lr, epochs, batch_size, true_w, true_b, tol) -> str:
    """Run a known-good loop with each of the learner's pieces swapped in; name the culprits."""
    findings = []
    for piece in PIECES:
        try:
            w, b, _ = session.probe(EX2, "train_swap", [piece], features, labels, lr, epochs, batch_size,
                                    function=piece)
            if not (isinstance(w, RemoteTensor) and isinstance(b, RemoteTensor) and w.shape == (len(true_w), 1)
                    and b.shape == (1,)):
                findings.append(text("ex2.blame_piece", piece=piece))
            elif not converged(w.values.astype(float), b.values.astype(float), true_w, true_b, tol):
                findings.append(text("ex2.blame_piece", piece=piece))
        except StudentError as error:
            reason = describe_student_error(error).splitlines()[0]
            findings.append(text("ex2.blame_piece_error", piece=piece, reason=reason))
    if not findings:
        return text("ex2.blame_loop")
    return "\n".join(findings)


def run_train(student, features, labels, **hyper):
    """``train(features, labels, **hyper)`` in the sandbox; when it raises, say why and which piece is to blame.

    The error gets the swap-in diagnosis (``explanation``) and, for the usual torch errors, the cause in a
    beginner's words (``hint``, from :func:`autograder.explain.known_cause`): a missing ``backward()`` shows
    up as ``p.grad`` being None inside ``sgd``, but the loop is where to look.
    """
    try:
        # shared: the checks that train on the same data read one run
        return student.session.call(EX2, "train", features, labels, shared=True, **hyper).value
    except StudentException as error:
        error.explanation = text("ex2.diagnosis") + "\n" + standard_diagnosis(student.session)
        error.hint = getattr(error, "hint", None) or known_cause(error)
        raise


def standard_diagnosis(session) -> str:
    """The swap-in diagnosis on the public run's data and hyperparameters (w = [2, -3.4], b = 4.2,
    ``PUBLIC_N`` examples, ``PUBLIC_HYPER``), once per submission: every check whose ``train`` raises gets
    the same account, the one test_train_converges gives when the public run does not converge."""
    cached = getattr(session, "_ex2_standard_diagnosis", None)
    if cached is None:
        features, labels = make_regression(STANDARD_W, STANDARD_B, PUBLIC_N, PUBLIC_SEED)
        cached = diagnose_train(session, features, labels, PUBLIC_HYPER["lr"], PUBLIC_HYPER["num_epochs"],
                                PUBLIC_HYPER["batch_size"], STANDARD_W, STANDARD_B, PUBLIC_TOL)
        session._ex2_standard_diagnosis = cached
    return cached


def check_train_converges(student, true_w, true_b, n, seed, tol, **hyper):
    """Train on data from a known line; fail with a diagnosis when it does not get there."""
    features, labels = make_regression(true_w, true_b, n, seed)
    result = run_train(student, features, labels, **hyper)
    w, b, losses = unpack_train(result, len(true_w))
    record_training(features, labels, w, b, losses, true_w, true_b, hyper)
    if converged(w, b, true_w, true_b, tol):
        return features, labels, w, b, losses
    lr, epochs, batch_size = hyper.get("lr", 0.03), hyper.get("num_epochs", 3), hyper.get("batch_size", 10)
    diagnosis = diagnose_train(student.session, features, labels, lr, epochs, batch_size, true_w, true_b, tol)
    raise CheckFailed(
        text("ex2.not_converged", epochs=epochs, tol=tol) + "\n"
        + "\n".join(labelled(f"w = {[float(v) for v in true_w]}, b = {float(true_b)}",
                              f"w = {fmt(w.ravel())}, b = {fmt(b)}")) + "\n"
        + text("ex2.diagnosis") + "\n" + diagnosis
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
    figures.record("loss_curve", function="train", losses=numbers,
                   reference=reference_curve(features, labels, lr, epochs, batch_size))
    figures.record("parameters", function="train", names=[f"w[{i}]" for i in range(len(true_w))] + ["b"],
                   learner=[float(v) for v in w.ravel()] + [float(b[0])],
                   truth=[float(v) for v in true_w] + [float(true_b)])


def tensor_param(values, grad, dtype=torch.float32):
    param = torch.tensor(values, dtype=dtype)
    param.grad = torch.tensor(grad, dtype=dtype)
    return param.requires_grad_(True)


def expect_loss_tensor(got, expected, what, shape_hints=None, mistakes=()):
    return expect_tensor(got, expected, what=what, rtol=1e-5, atol=1e-6, dtype="torch.float32",
                         shape_hints=shape_hints, mistakes=mistakes)

"""Hidden checks for exercise 3: a hidden nonlinear target and hidden network sizes."""

import numpy as np

from autograder.checks.ex3_support import check_backward, run_fit
from autograder.memo import remembered
from autograder.expect import expect_true, fail, fmt
from autograder.messages import text
from autograder.registry import check, hidden_seed

EXERCISE = "ex3_mlp_backprop"


@check(points=2, function="mlp_backward", visibility="hidden", uses=("mlp_forward",))
def test_mlp_backward_hidden(student):
    """mlp_backward: agrees on hidden network sizes"""
    rng = np.random.default_rng(hidden_seed(301))
    for activation, (n, d, h) in (("sigmoid", (13, 4, 7)), ("relu", (6, 1, 3))):
        X = rng.normal(size=(n, d))
        params = {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h), "W2": rng.normal(size=(h, 1)),
                  "b2": rng.normal(size=1)}
        check_backward(student, X, rng.normal(size=(n, 1)), params, activation)


@check(points=4, function="fit_mlp", visibility="hidden")
def test_fit_mlp_reference_loss(student, reference):
    """fit_mlp: reaches the reference's loss on a hidden nonlinear target"""
    rng = np.random.default_rng(hidden_seed(302))
    X = rng.uniform(-2, 2, size=(64, 2))
    y = (np.sin(2 * X[:, :1]) * X[:, 1:] + 0.3 * X[:, 1:] ** 2).reshape(-1, 1)
    # 200 full-batch epochs: a backward pass that leaves out the activation's derivative (or takes it at A1,
    # or averages a bias's gradient) ends 24% or more above the reference's loss, well past the 5% allowed
    kwargs = {"hidden": 16, "lr": 0.5, "epochs": 200, "seed": 5}
    _, ref_losses = remembered(reference.ex3.fit_mlp)(X, y, **kwargs)  # the same for every submission
    result = run_fit(student, X, y, **kwargs)
    if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[1], list) or not result[1]:
        fail(text("ex3.fit_pair"), got=fmt(result), hint="ex3.hint.fit_return")
    params, losses = result
    target = ref_losses[-1] * 1.05 + 1e-6  # same start, same full-batch steps: only rounding differs
    final = losses[-1]
    expect_true(isinstance(final, float) and np.isfinite(final) and final <= target, text("ex3.loss_too_high"),
                expected=text("detail.loss_at_most", value=f"{target:.5g}"), got=fmt(final), hint="ex3.hint.update_rule")
    try:
        y_hat, _ = reference.ex3.mlp_forward(X, {k: np.asarray(v, dtype=float) for k, v in params.items()})
        actual = reference.ex3.mse_loss(y_hat, y)
    except Exception:  # noqa: BLE001 - malformed params from the submission
        actual = float("inf")
    expect_true(actual <= target, text("ex3.params_do_not_match"),
                expected=text("detail.loss_at_most", value=f"{target:.5g}"), got=fmt(actual), hint="ex3.hint.fit_return")

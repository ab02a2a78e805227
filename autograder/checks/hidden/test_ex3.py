"""Hidden checks for exercise 3: a hidden nonlinear target and hidden network sizes."""

import numpy as np

from autograder.checking import check, given_defaults, hidden_seed, remembered
from autograder.checks.ex3_support import (
    FIT_DEFAULTS,
    check_backward,
    expect_fit_path,
    other_defaults,
    random_network,
    run_fit,
)

EXERCISE = "ex3_mlp_backprop"


@check(points=2, function="mlp_backward", visibility="hidden", uses=("mlp_forward",))
def test_mlp_backward_hidden(student):
    """mlp_backward: agrees on hidden network sizes"""
    rng = np.random.default_rng(hidden_seed(301))
    for activation, (n, d, h) in (("sigmoid", (13, 4, 7)), ("relu", (6, 1, 3))):
        X, y, params = random_network(rng, n, d, h)
        check_backward(student, X, y, params, activation)


@check(points=4, function="fit_mlp", visibility="hidden")
def test_fit_mlp_reference_loss(student, reference):
    """fit_mlp: the reference's steps on a hidden nonlinear target"""
    rng = np.random.default_rng(hidden_seed(302))
    X = rng.uniform(-2, 2, size=(48, 2))
    y = (np.sin(2 * X[:, :1]) * X[:, 1:] + 0.3 * X[:, 1:] ** 2).reshape(-1, 1)
    runs = (
        {"hidden": 16, "lr": 0.25, "epochs": 80, "activation": "sigmoid", "seed": hidden_seed(5)},
        {"hidden": 7, "lr": 0.1, "epochs": 60, "activation": "relu", "seed": hidden_seed(9)},
    )
    # and a run with every argument left at its default (2000 epochs of 16 hidden units: a smaller data set; a
    # fifth of a whole submission's grading time, and the only run long enough to see a loop that stops early).
    # The reference's runs (the same for every submission) are computed while the learner's.
    fit = remembered(reference.ex3.fit_mlp)
    for run in runs:
        fit.ahead(X, y, **run)
    fit.ahead(X[:12], y[:12])
    for run in runs:
        expect_fit_path(run_fit(student, X, y, **run), X, y, run, expected=fit(X, y, **run))
    X, y = X[:12], y[:12]
    # a def line that gives other defaults (read, never run): the cause, when the run shows it wrong or raises
    given = given_defaults(student.session, EXERCISE, "fit_mlp")
    cause = "ex3.hint.changed_defaults" if other_defaults(given) else None
    expect_fit_path(run_fit(student, X, y, cause=cause), X, y, dict(FIT_DEFAULTS), expected=fit(X, y), cause=cause)

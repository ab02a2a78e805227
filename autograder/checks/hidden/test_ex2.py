"""Hidden checks for exercise 2: hidden true parameters and the reference on hidden inputs."""

import torch

from autograder.checking import check, hidden_seed, text
from autograder.checks.ex2_support import (
    EX2,
    check_known_converges,
    expect_known_run,
    expect_loss_tensor,
    make_regression,
    run_known_pieces,
)

EXERCISE = EX2


@check(points=3, function="train", visibility="hidden")
def test_train_hidden_parameters(student):
    """train: recovers hidden true parameters with other hyperparameters"""
    # lr=0.2, 4 epochs, batch 16 on 208 examples (52 steps): the reference ends within 2.8e-3 of the truth
    # on every calibration seed (scripts/calibration/ex2_linear_regression.py)
    check_known_converges(
        student, [-1.2, 0.5, 3.3], -2.0, n=208, seed=hidden_seed(201), tol=0.02, lr=0.2, num_epochs=4, batch_size=16
    )
    # and the docstring's loop, step by step, with other hyperparameters on other data
    features, labels = make_regression([0.4, -2.2, 1.1], 0.9, 45, hidden_seed(203))
    run = {"lr": 0.07, "num_epochs": 3, "batch_size": 9}
    expect_known_run(
        run_known_pieces(student, features, labels, **run, seed=hidden_seed(204)),
        features,
        labels,
        **run,
        seed=hidden_seed(204),
    )


def _hidden_inputs():
    generator = torch.Generator().manual_seed(hidden_seed(202))
    X, w, b = (
        torch.randn(9, 4, generator=generator),
        torch.randn(4, 1, generator=generator),
        torch.randn(1, generator=generator),
    )
    return X, w, b, torch.randn(9, generator=generator)


@check(points=1, function="linreg", visibility="hidden")
def test_linreg_hidden(student, reference):
    """linreg: agrees with the reference on hidden inputs"""
    X, w, b, _ = _hidden_inputs()
    expect_loss_tensor(
        student.ex2.linreg(X, w, b),
        reference.ex2.linreg(X, w, b).numpy(),
        what=text("what.hidden_inputs", function="linreg", shape=(9, 4)),
    )


@check(points=1, function="squared_loss", visibility="hidden")
def test_squared_loss_hidden(student, reference):
    """squared_loss: agrees with the reference on hidden inputs"""
    X, w, b, y = _hidden_inputs()
    y_hat = reference.ex2.linreg(X, w, b)
    expect_loss_tensor(
        student.ex2.squared_loss(y_hat, y),
        reference.ex2.squared_loss(y_hat, y).numpy(),
        what=text("what.hidden_inputs", function="squared_loss", shape=(9,)),
        shape_hints={(9, 9): "ex2.hint.missing_reshape", (): "ex2.hint.loss_reduced", (1,): "ex2.hint.loss_reduced"},
    )

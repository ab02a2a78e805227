"""Hidden checks for exercise 4: other true parameters and hyperparameters, other network sizes."""

from autograder.checking import check, hidden_seed
from autograder.checks.ex4_support import (
    EXERCISE,
    check_concise_converges,
    check_concise_follows,
    check_tiny_fit,
    check_tiny_forward,
)

__all__ = ["EXERCISE"]


@check(points=2, function="train_concise", visibility="hidden")
def test_train_concise_hidden(student):
    """train_concise: recovers hidden true parameters with other hyperparameters"""
    # lr=0.1, 4 epochs, batch 16 on 208 examples (52 steps): the reference ends within 3.0e-3 of the truth
    # on every calibration seed (scripts/calibration/ex4_autograd_nn.py)
    check_concise_converges(
        student, [1.5, 0.7, -2.0], -1.3, n=208, seed=hidden_seed(401), tol=0.02, lr=0.1, num_epochs=4, batch_size=16
    )
    check_concise_follows(
        student, [1.5, 0.7, -2.0], -1.3, n=50, seed=hidden_seed(404), lr=0.02, num_epochs=2, batch_size=7
    )


@check(points=2, function="TinyNet", visibility="hidden")
def test_tinynet_other_sizes(student):
    """TinyNet: other sizes than 4 and 8 (nothing hard-coded)"""
    check_tiny_forward(student, n_in=3, n_hidden=5, n=7, seed=hidden_seed(402))


@check(points=1, function="fit_tiny", visibility="hidden")
def test_fit_tiny_hidden(student):
    """fit_tiny: matches the reference run on a hidden network and learning rate"""
    check_tiny_fit(student, n_in=3, n_hidden=5, n=12, seed=hidden_seed(403), lr=0.05, epochs=15)

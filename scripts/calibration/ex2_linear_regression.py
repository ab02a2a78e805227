"""Calibration of exercise 2's randomised checks: train's convergence and losses, synthetic_data's statistics."""

import numpy as np
import torch

from autograder.checking.expect import REGULAR, neighbours
from autograder.checks.ex2_support import (
    CORRELATION,
    KURTOSIS_NOISE,
    KURTOSIS_X,
    PUBLIC_HYPER,
    PUBLIC_N,
    PUBLIC_TOL,
    RUN32,
    indexed_data,
    known_train,
    kurtosis_of,
    make_regression,
    rows_of,
)
from autograder.course.registry import in_sandbox_module

TOLERANCES = {
    "train max |param - truth| (public data)": PUBLIC_TOL,  # checks/public/test_ex2.py
    "train max |param - truth| (hidden data)": 0.02,  # checks/hidden/test_ex2.py
    "synthetic_data |noise std - 0.01|": 0.001,  # checks/public/test_ex2.py
    "synthetic_data |X mean|, |X std - 1|": 0.03,  # checks/public/test_ex2.py
    # checks/*/test_ex2.py: train with known-good pieces against the grader's own run of its docstring's loop from
    # the same seed (w, b and losses), as a fraction of RUN32's bound
    "train with known pieces vs the grader's run, fraction of RUN32": 1.0,
    "synthetic_data |X kurtosis - 3|": KURTOSIS_X,  # checks/public/test_ex2.py
    "synthetic_data |corr(X[:, 0], X[:, 1])|": CORRELATION,  # checks/public/test_ex2.py
    "synthetic_data |noise kurtosis - 3|": KURTOSIS_NOISE,  # checks/public/test_ex2.py
    "data_iter neighbours in a shuffled order of 100": REGULAR,  # checks/public/test_ex2.py (expect.neighbours)
}


def margins(seeds, ex2, seed_all):
    """The worst value of each quantity over ``seeds`` data and shuffling seeds, with the reference ``ex2``."""
    worst = dict.fromkeys(TOLERANCES, 0.0)
    for seed in range(seeds):
        pieces = in_sandbox_module("ex2_linear_regression")
        for key, true_w, true_b, n, hyper in (
            ("train max |param - truth| (public data)", [2.0, -3.4], 4.2, PUBLIC_N, PUBLIC_HYPER),
            (
                "train max |param - truth| (hidden data)",
                [-1.2, 0.5, 3.3],
                -2.0,
                208,
                {"lr": 0.2, "num_epochs": 4, "batch_size": 16},
            ),
            (None, [1.0, -0.5], 0.7, 60, {"lr": 0.05, "num_epochs": 2, "batch_size": 7}),
            (None, [0.4, -2.2, 1.1], 0.9, 45, {"lr": 0.07, "num_epochs": 3, "batch_size": 9}),
        ):
            X, labels = make_regression(true_w, true_b, n, 500 + seed)
            w_t, b_t, losses = pieces.train_with_known_pieces(ex2, X, labels, **hyper, seed=seed, defaults=False)
            want_w, want_b, want_losses = known_train(X, labels, **hyper, seed=seed)
            got = np.concatenate([w_t.detach().numpy().ravel(), b_t.detach().numpy().ravel(), losses])
            expected = np.concatenate([want_w.ravel(), want_b.ravel(), want_losses])
            fraction = "train with known pieces vs the grader's run, fraction of RUN32"
            worst[fraction] = max(
                worst[fraction],
                float(np.max(np.abs(got - expected) / (RUN32["atol"] + RUN32["rtol"] * np.abs(expected)))),
            )
            if key is not None:
                error = max(np.max(np.abs(w_t.detach().numpy().ravel() - true_w)), abs(float(b_t.detach()) - true_b))
                worst[key] = max(worst[key], float(error))
        seed_all(seed)
        X, labels = ex2.synthetic_data(torch.tensor([2.0, -3.4]), 4.2, 20000)
        noise = labels.double().numpy().ravel() - (X.double().numpy() @ np.array([2.0, -3.4]) + 4.2)
        worst["synthetic_data |noise std - 0.01|"] = max(
            worst["synthetic_data |noise std - 0.01|"], abs(noise.std() - 0.01), abs(noise.mean())
        )
        features = X.double().numpy()
        worst["synthetic_data |X mean|, |X std - 1|"] = max(
            worst["synthetic_data |X mean|, |X std - 1|"], abs(features.mean()), abs(features.std() - 1)
        )
        for key, value in (
            ("synthetic_data |X kurtosis - 3|", abs(kurtosis_of(features.ravel()) - 3)),
            ("synthetic_data |corr(X[:, 0], X[:, 1])|", abs(np.corrcoef(features.T)[0, 1])),
            ("synthetic_data |noise kurtosis - 3|", abs(kurtosis_of(noise) - 3)),
        ):
            worst[key] = max(worst[key], float(value))
        seed_all(seed)
        features, labels = indexed_data(100)
        order = [r for X, _ in ex2.data_iter(10, features, labels) for r in rows_of(_Values(X))]
        key = "data_iter neighbours in a shuffled order of 100"
        worst[key] = max(worst[key], float(neighbours(order)))
    return worst


class _Values:
    """A batch of features as the checks see it (``.values``, ``.shape``), from a tensor here."""

    def __init__(self, tensor):
        self.values, self.shape = tensor.numpy(), tuple(tensor.shape)

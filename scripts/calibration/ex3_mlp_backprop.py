"""Calibration of exercise 3's training check: fit_mlp, the reference against the grader's own path."""

import numpy as np

from autograder.checks.ex3_support import PATH64, mlp_path

TOLERANCES = {
    # checks/*/test_ex3.py: the reference's losses and parameters against the grader's autograd path of the same
    # run (and a correct fit_mlp written with other operations), as a fraction of PATH64's bound
    "fit_mlp vs the grader's path, fraction of PATH64": 1.0
}

# the runs of the public and hidden checks, with every seed
RUNS = (
    {"hidden": 8, "lr": 0.5, "epochs": 120, "activation": "sigmoid"},
    {"hidden": 5, "lr": 0.2, "epochs": 40, "activation": "relu"},
    {"hidden": 16, "lr": 0.25, "epochs": 80, "activation": "sigmoid"},
    {"hidden": 7, "lr": 0.1, "epochs": 60, "activation": "relu"},
    {"hidden": 16, "lr": 0.5, "epochs": 2000, "activation": "sigmoid"},
)


def _fraction(got, expected):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected) / (PATH64["atol"] + PATH64["rtol"] * np.abs(expected))))


def margins(seeds, ex3, seed_all):
    """The worst value over ``seeds`` data and initialisation seeds (the 2000-epoch run on a few of them)."""
    key = "fit_mlp vs the grader's path, fraction of PATH64"
    worst = {key: 0.0}
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        X = rng.uniform(-2, 2, size=(32, 2))
        y = (np.sin(2 * X[:, :1]) * X[:, 1:] + 0.3 * X[:, 1:] ** 2).reshape(-1, 1)
        for run in RUNS if seed < 3 else RUNS[:-1]:
            data = (X[:12], y[:12]) if run["epochs"] == 2000 else (X, y)
            params, losses = ex3.fit_mlp(*data, **run, seed=seed)
            want_params, want_losses = mlp_path(*data, **run, seed=seed)
            worst[key] = max(
                worst[key], _fraction(losses, want_losses), *(_fraction(params[k], want_params[k]) for k in want_params)
            )
    return worst

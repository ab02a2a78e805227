"""Calibration of exercise 1's randomised checks: fit_line against least squares and against the grader's path."""

import numpy as np

from autograder.checks.ex1_support import DEFAULTS, EXACT, descent_path, least_squares

TOLERANCES = {
    "fit_line |w - w_ls|, |b - b_ls| (defaults)": 0.05,  # checks/public/test_ex1.py
    # checks/*/test_ex1.py: the reference's (w, b) against the grader's own path of the same run, as a fraction of
    # EXACT's bound atol + rtol * |expected|
    "fit_line vs the grader's path, fraction of EXACT": 1.0,
}


def margins(seeds, reference, seed_all):
    """The worst value of each quantity over ``seeds`` data and shuffling seeds, with the reference."""
    worst = dict.fromkeys(TOLERANCES, 0.0)
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=50)
        y = 3.0 * x - 1.0 + 0.1 * rng.normal(size=50)
        w, b = reference.fit_line(x, y, seed=seed)  # test_ex1.test_fit_line_least_squares: the defaults
        w_ls, b_ls = least_squares(x, y)
        key = "fit_line |w - w_ls|, |b - b_ls| (defaults)"
        worst[key] = max(worst[key], abs(w - w_ls), abs(b - b_ls))
        for run in (
            {**DEFAULTS, "seed": seed},
            {"lr": 0.05, "epochs": 3, "batch_size": 8, "seed": seed},
            {"lr": 0.2, "epochs": 5, "batch_size": 7, "seed": seed},
        ):
            got = np.array(reference.fit_line(x, y, **run))
            expected = np.array(descent_path(x, y, **run))
            key = "fit_line vs the grader's path, fraction of EXACT"
            bound = EXACT["atol"] + EXACT["rtol"] * np.abs(expected)
            worst[key] = max(worst[key], float(np.max(np.abs(got - expected) / bound)))
    return worst

"""Calibration of exercise 2's randomised checks: train's convergence and losses, synthetic_data's statistics."""

import numpy as np
import torch

from autograder.checks.ex2_support import PUBLIC_HYPER, PUBLIC_N, PUBLIC_TOL

TOLERANCES = {
    "train max |param - truth| (public data)": PUBLIC_TOL,  # checks/public/test_ex2.py
    "train max |param - truth| (hidden data)": 0.02,  # checks/hidden/test_ex2.py
    "synthetic_data |noise std - 0.01|": 0.001,  # checks/public/test_ex2.py
    "synthetic_data |X mean|, |X std - 1|": 0.03,  # checks/public/test_ex2.py
    "train |losses[-1] - loss(w, b)| / loss": 0.05,  # checks/public/test_ex2.py
}


def margins(seeds, ex2, seed_all):
    """The worst value of each quantity over ``seeds`` data and shuffling seeds, with the reference ``ex2``."""
    worst = dict.fromkeys(TOLERANCES, 0.0)
    for seed in range(seeds):
        for key, true_w, true_b, n, hyper in (
            ("train max |param - truth| (public data)", [2.0, -3.4], 4.2, PUBLIC_N, PUBLIC_HYPER),
            ("train max |param - truth| (hidden data)", [-1.2, 0.5, 3.3], -2.0, 208,
             {"lr": 0.2, "num_epochs": 4, "batch_size": 16}),
        ):
            seed_all(seed)
            X, labels = ex2.synthetic_data(torch.tensor(true_w), true_b, n)
            w_t, b_t, losses = ex2.train(X, labels, **hyper)
            error = max(np.max(np.abs(w_t.detach().numpy().ravel() - true_w)), abs(float(b_t.detach()) - true_b))
            worst[key] = max(worst[key], float(error))
            if key.endswith("(public data)"):
                with torch.no_grad():
                    final = float(ex2.squared_loss(ex2.linreg(X.double(), w_t.double(), b_t.double()),
                                                   labels.double()).mean())
                worst["train |losses[-1] - loss(w, b)| / loss"] = max(
                    worst["train |losses[-1] - loss(w, b)| / loss"], abs(losses[-1] - final) / final)
        seed_all(seed)
        X, labels = ex2.synthetic_data(torch.tensor([2.0, -3.4]), 4.2, 20000)
        noise = labels.double().numpy().ravel() - (X.double().numpy() @ np.array([2.0, -3.4]) + 4.2)
        worst["synthetic_data |noise std - 0.01|"] = max(worst["synthetic_data |noise std - 0.01|"],
                                                          abs(noise.std() - 0.01), abs(noise.mean()))
        features = X.double().numpy()
        worst["synthetic_data |X mean|, |X std - 1|"] = max(worst["synthetic_data |X mean|, |X std - 1|"],
                                                             abs(features.mean()), abs(features.std() - 1))
    return worst

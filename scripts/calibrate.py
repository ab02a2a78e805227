"""Evidence that every tolerance lets a correct submission pass, whatever the seeds.

Two parts:

1. ``margins``: the randomised checks' quantities, computed with the reference
   solutions on many data *and* shuffling seeds, against the tolerance each
   check uses. Prints the worst value seen and the tolerance.
2. ``salts``: grade the reference solutions through the real grader with
   different seeds for the learner's side (``seed_salt``); every run must
   score 100.

Run ``python scripts/calibrate.py`` (defaults: 200 seeds, 20 salts); the
kit's tests run a smaller version of both (tests/test_calibration.py).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.reference import load  # noqa: E402

# The tolerances used by the checks (kept in one place here so the evidence names them).
TOLERANCES = {
    "fit_line |w - w_ls|, |b - b_ls|": 0.05,  # checks/public/test_ex1.py
    "train max |param - truth| (public data)": 0.02,  # checks/public/test_ex2.py
    "train max |param - truth| (hidden data)": 0.02,  # checks/hidden/test_ex2.py
    "synthetic_data |noise std - 0.01|": 0.001,  # checks/public/test_ex2.py
    "synthetic_data |X mean|, |X std - 1|": 0.03,  # checks/public/test_ex2.py
    "train |losses[-1] - loss(w, b)| / loss": 0.05,  # checks/public/test_ex2.py
}


def _seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def margins(seeds: int) -> dict[str, float]:
    ex1, ex2 = load("ex1_manual_gradients"), load("ex2_linear_regression")
    worst = dict.fromkeys(TOLERANCES, 0.0)
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=100)
        y = 3.0 * x - 1.0 + 0.1 * rng.normal(size=100)
        w, b = ex1.fit_line(x, y, seed=seed)
        A = np.stack([x, np.ones_like(x)], axis=1)
        (w_ls, b_ls), *_ = np.linalg.lstsq(A, y, rcond=None)
        worst["fit_line |w - w_ls|, |b - b_ls|"] = max(worst["fit_line |w - w_ls|, |b - b_ls|"],
                                                        abs(w - w_ls), abs(b - b_ls))
        for key, true_w, true_b, n, hyper in (
            ("train max |param - truth| (public data)", [2.0, -3.4], 4.2, 1000, {}),
            ("train max |param - truth| (hidden data)", [-1.2, 0.5, 3.3], -2.0, 800,
             {"lr": 0.05, "num_epochs": 4, "batch_size": 16}),
        ):
            _seed_all(seed)
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
        _seed_all(seed)
        X, labels = ex2.synthetic_data(torch.tensor([2.0, -3.4]), 4.2, 20000)
        noise = labels.double().numpy().ravel() - (X.double().numpy() @ np.array([2.0, -3.4]) + 4.2)
        worst["synthetic_data |noise std - 0.01|"] = max(worst["synthetic_data |noise std - 0.01|"],
                                                          abs(noise.std() - 0.01), abs(noise.mean()))
        features = X.double().numpy()
        worst["synthetic_data |X mean|, |X std - 1|"] = max(worst["synthetic_data |X mean|, |X std - 1|"],
                                                             abs(features.mean()), abs(features.std() - 1))
    return worst


def salts(count: int) -> list[float]:
    from autograder.runner import grade
    from autograder.sandbox.client import Sandbox

    scores = []
    with Sandbox() as sandbox:
        for salt in range(1, count + 1):
            report = grade(ROOT / "solutions", sandbox=sandbox, seed_salt=salt)
            scores.append(report.score)
            failing = [t.name for t in report.tests if t.status != "passed"]
            if failing:
                print(f"salt {salt}: the reference failed {failing}")
    return scores


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--salts", type=int, default=20)
    args = parser.parse_args(argv)
    ok = True
    worst = margins(args.seeds)
    print(f"Reference solutions on {args.seeds} seeds: worst value seen vs the tolerance of the check")
    for key, value in worst.items():
        tolerance = TOLERANCES[key]
        ok &= value < tolerance
        print(f"  {key:<45} worst {value:.2e}   tolerance {tolerance:.2e}   ({value / tolerance:.0%} of it)")
    scores = salts(args.salts)
    print(f"Reference graded with {len(scores)} different learner-side seeds: scores {sorted(set(scores))}")
    ok &= all(score == 100 for score in scores)
    print("OK" if ok else "FAILED: a tolerance is too tight")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

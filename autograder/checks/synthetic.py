"""Data the checks of several exercises make in the grader (not a check module itself)."""

from __future__ import annotations

import torch


def make_regression(true_w, true_b, n, seed):
    """Features from N(0, 1), labels = X @ w + b + N(0, 0.01**2) as a column (n, 1), float32, made here in the
    grader from a generator seeded with ``seed`` (exercises 2 and 4 train on it)."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.tensor(true_w, dtype=torch.float32)
    X = torch.normal(0.0, 1.0, (n, len(true_w)), generator=generator)
    y = (X @ w + true_b + torch.normal(0.0, 0.01, (n,), generator=generator)).reshape(-1, 1)
    return X, y

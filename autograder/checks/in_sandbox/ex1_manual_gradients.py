"""Exercise 1's trusted helpers: scalar functions handed to a learner's ``numerical_grad``.

This file runs in two places. In the sandbox, next to the learner's code,
``FUNCTIONS`` holds the NumPy versions the grader passes by name (never as
code). In the grader, :func:`torch_version` gives the same functions written
with torch, which the checks differentiate with ``torch.autograd`` for the
expected gradient. It imports NumPy only: exercise 1 is graded where torch
cannot be imported.
"""

import numpy as np


def _arr(w):
    return np.asarray(w, dtype=np.float64)


def quadratic(w):
    a = _arr(w)
    return float(np.sum(3.0 * a**2 - 2.0 * a + 1.0))


def wavy(w):
    a = _arr(w)
    return float(np.sum(np.sin(a) * a) + 0.5 * np.sum(a) ** 2)


def cubic(w):
    a = _arr(w)
    return float(np.sum(a**3 - a))


def exp_mix(w):
    a = _arr(w).ravel()
    weights = np.arange(1, a.size + 1, dtype=np.float64)
    return float(np.log1p(np.sum(np.exp(0.3 * weights * a))))


def quadratic_of_a_float(w):
    """The quadratic, for a scalar w only, given as the docstring of numerical_grad promises: a Python float."""
    if not isinstance(w, float):
        raise TypeError(f"ex1.sandbox.f_takes_float type={type(w).__name__}")  # a catalogue text (explain.py)
    return quadratic(w)


FUNCTIONS = {
    "quadratic": quadratic,
    "wavy": wavy,
    "cubic": cubic,
    "exp_mix": exp_mix,
    "quadratic_of_a_float": quadratic_of_a_float,
}


def torch_version(name):
    """The same function written with torch operations (grader side only)."""
    # lazy: this module is also loaded in exercise 1's NumPy-only sandbox, where torch cannot be imported
    import torch

    def t_quadratic(a):
        return (3.0 * a**2 - 2.0 * a + 1.0).sum()

    def t_wavy(a):
        return (torch.sin(a) * a).sum() + 0.5 * a.sum() ** 2

    def t_cubic(a):
        return (a**3 - a).sum()

    def t_exp_mix(a):
        flat = a.reshape(-1)
        weights = torch.arange(1, flat.numel() + 1, dtype=torch.float64)
        return torch.log1p(torch.exp(0.3 * weights * flat).sum())

    return {
        "quadratic": t_quadratic,
        "wavy": t_wavy,
        "cubic": t_cubic,
        "exp_mix": t_exp_mix,
        "quadratic_of_a_float": t_quadratic,
    }[name]

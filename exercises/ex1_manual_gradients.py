"""Exercise 1: the squared loss and its derivative, by hand (NumPy only).

A one-feature model predicts ``y_pred = w * x`` (later ``w * x + b``). The
error ``y_pred - y`` can be positive or negative and would cancel out across
samples, so we square it. The squared loss is smooth, so we can take its
derivative and walk downhill:

* slope negative -> increase ``w``;  slope positive -> decrease ``w``.

You will write the derivative by hand, check it numerically, and use it to
fit a line with mini-batch gradient descent.

Rules: NumPy only (do not import torch here). Every function says whether it
sums or averages over the samples; follow that exactly.
Run ``make grade`` to check your work.
"""

import numpy as np


def dloss(w, x, y):
    """Derivative of the one-sample squared loss with respect to ``w``.

    One sample's loss is ``loss = (w * x - y) ** 2``. By the chain rule::

        dloss/dw = 2 * (w * x - y) * x        (= 2*x**2*w - 2*x*y)

    No sum and no mean: when ``x`` and ``y`` are arrays, compute the
    derivative of each sample's own loss, elementwise.

    Args:
        w: float. The weight.
        x: float, or float64 ndarray of any shape. The input(s).
        y: float, or float64 ndarray with the same shape as ``x``. The target(s).

    Returns:
        A float when ``x`` and ``y`` are floats; otherwise a float64 ndarray with
        the shape of ``x``: one derivative per sample.

    Example:
        ``dloss(1.0, 1.0, 2.0) == -2.0``: the prediction 1 is below the target
        2, the slope is negative, so increasing ``w`` lowers the loss.
    """
    # --- your code starts here: replace the raise below ---
    raise NotImplementedError("ex1_manual_gradients.dloss: not implemented yet")
    # --- your code ends here ---


def mse_grad(w, b, x, y):
    """Gradient of the mean squared error of the line ``y_pred = w * x + b``.

    Over ``n`` samples the loss is the MEAN (not the sum)::

        L(w, b) = mean((w * x + b - y) ** 2)

    and its partial derivatives are::

        dL/dw = 2 * mean((w * x + b - y) * x)
        dL/db = 2 * mean(w * x + b - y)

    Args:
        w: float. The slope.
        b: float. The intercept.
        x: float64 ndarray of shape (n,). The inputs.
        y: float64 ndarray of shape (n,). The targets.

    Returns:
        ``(dw, db)``: a tuple of two Python floats.
    """
    # --- your code starts here: replace the raise below ---
    raise NotImplementedError("ex1_manual_gradients.mse_grad: not implemented yet")
    # --- your code ends here ---
    return float(dw), float(db)


def numerical_grad(f, w, eps=1e-6):
    """Central-difference estimate of the gradient of a scalar function ``f``.

    For every entry ``w[i]`` of ``w``::

        grad[i] = (f(w with w[i] + eps) - f(w with w[i] - eps)) / (2 * eps)

    Use this to check a derivative you wrote by hand: the two should agree to
    about 1e-6 relative error.

    ``w`` must be left unchanged: work on a copy (``np.array(w, dtype=float)``)
    and restore each entry from a saved value, not by subtracting ``eps`` back.

    Args:
        f: callable. Takes something shaped like ``w`` (a float when ``w`` is a
            float, else a float64 ndarray of ``w``'s shape) and returns a float.
        w: float, or float64 ndarray of any shape. Where to take the gradient.
        eps: float. The step on each side.

    Returns:
        A float when ``w`` is a float; otherwise a float64 ndarray with the
        shape of ``w``.
    """
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    # --- your code starts here: replace the raise below ---
    raise NotImplementedError("ex1_manual_gradients.numerical_grad: not implemented yet")
    # --- your code ends here ---
    return float(grad) if scalar else grad


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    """Fit ``y ~ w * x + b`` by mini-batch gradient descent on the mean squared error.

    Start from ``w = b = 0``; ``rng`` is the generator made from ``seed``
    (both already written for you, before the first epoch). Each epoch:

    1. shuffle: draw a new random order of the sample indices ``0 .. n-1``
       (call it ``order``) with the ``permutation`` method of ``rng``, and use
       no other source of randomness, so that the same ``seed`` always gives
       the same result;
    2. walk through ``order`` in batches of ``batch_size`` indices (the last
       batch is shorter when ``n`` is not a multiple of ``batch_size``);
    3. for each batch, take the gradient of the MEAN squared error over the
       batch's samples only (``mse_grad`` computes it), then move ``w`` and
       ``b`` against it: each by ``lr`` times its own partial derivative.

    Args:
        x: float64 ndarray of shape (n,). The inputs.
        y: float64 ndarray of shape (n,). The targets.
        lr: float. The learning rate.
        epochs: int. Passes over the data; 0 returns the starting point.
        batch_size: int. Samples per update.
        seed: int. Seed of the shuffling generator.

    Returns:
        ``(w, b)``: two Python floats, the fitted slope and intercept.
    """
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    # --- your code starts here: replace the raise below ---
    raise NotImplementedError("ex1_manual_gradients.fit_line: not implemented yet")
    # --- your code ends here ---
    return float(w), float(b)

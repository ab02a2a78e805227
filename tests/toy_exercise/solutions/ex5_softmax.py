"""Exercise 5: softmax and the cross-entropy loss (NumPy only).

A classifier gives every class a score, its logit. ``softmax`` turns the
scores of a sample into probabilities (positive, summing to 1), and the
cross-entropy loss is small when the true class gets a high probability.

Rules: NumPy only (do not import torch here). Run ``make grade`` to check
your work.
"""

import numpy as np


def softmax(z):
    """Row-wise softmax of a batch of logits.

    Subtract each row's maximum before taking ``np.exp``: the result is the
    same, and large logits no longer overflow::

        softmax(z)[i, j] = exp(z[i, j] - m_i) / sum over k of exp(z[i, k] - m_i),  m_i = max of row i

    Args:
        z: float64 array of shape ``(n, k)``: n samples, k classes.

    Returns:
        float64 array of shape ``(n, k)``: each row positive, summing to 1.
    """
    # BEGIN SOLUTION
    shifted = z - np.max(z, axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=1, keepdims=True)
    # END SOLUTION


def cross_entropy(z, y):
    """Mean cross-entropy loss of the logits ``z`` for the true classes ``y``.

    The loss of sample i is ``-log(p[i, y[i]])`` with ``p = softmax(z)``
    (use your ``softmax``); return the MEAN over the samples.

    Args:
        z: float64 array of shape ``(n, k)``.
        y: int array of shape ``(n,)``, each entry in ``range(k)``.

    Returns:
        float: the mean loss over the n samples.
    """
    # BEGIN SOLUTION
    probabilities = softmax(z)
    picked = probabilities[np.arange(len(y)), y]
    return float(np.mean(-np.log(picked)))
    # END SOLUTION

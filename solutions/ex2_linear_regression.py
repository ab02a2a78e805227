"""Exercise 2: linear regression from scratch in PyTorch.

We make a data set from a known line, ``y = X @ w + b + noise`` with
``w = [2, -3.4]`` and ``b = 4.2``, and then recover ``w`` and ``b`` with
mini-batch stochastic gradient descent, writing every piece ourselves:
the data iterator, the model, the loss and the update. ``torch.autograd``
computes the gradients for us (``loss.backward()`` fills ``w.grad``).

Conventions used throughout:
* ``squared_loss`` returns one value per example (no mean, no sum);
* the training loop calls ``.sum().backward()`` on a batch's losses, so
  ``sgd`` divides by ``batch_size`` to turn that sum into a mean.

Run ``make grade`` to check your work.
"""

import random

import torch


def synthetic_data(w, b, num_examples):
    """Make a regression data set from a known line, with a little noise.

    ``X`` has ``num_examples`` rows of ``len(w)`` features drawn from the
    standard normal N(0, 1); the labels are::

        y = X @ w + b + eps,    eps ~ N(0, 0.01**2)   (standard deviation 0.01)

    Args:
        w: float32 tensor of shape (d,). The true weights.
        b: float. The true bias.
        num_examples: int n. How many examples to make.

    Returns:
        ``(X, y)``: ``X`` a float32 tensor of shape (n, d) and ``y`` a float32
        tensor of shape (n, 1) (a column: reshape it).
    """
    # BEGIN SOLUTION
    X = torch.normal(0.0, 1.0, (num_examples, len(w)))
    y = X @ w + b
    y += torch.normal(0.0, 0.01, y.shape)
    return X, y.reshape((-1, 1))
    # END SOLUTION


def data_iter(batch_size, features, labels):
    """Yield the data set in random mini-batches (a generator: use ``yield``).

    Shuffle the list of example indices (``random.shuffle``), then yield the
    examples in that order, ``batch_size`` at a time. Every example appears
    exactly once per call; the last batch is shorter when ``n`` is not a
    multiple of ``batch_size`` (keep it, do not drop it); each call uses a
    fresh order. Index ``features`` and ``labels`` with the SAME indices so
    each example keeps its own label.

    Args:
        batch_size: int. Examples per batch.
        features: tensor of shape (n, d).
        labels: tensor of shape (n, 1).

    Yields:
        ``(X_batch, y_batch)``: tensors of shapes (k, d) and (k, 1), with
        ``k == batch_size`` except possibly for the last batch.
    """
    num_examples = len(features)
    indices = list(range(num_examples))
    # BEGIN SOLUTION
    random.shuffle(indices)
    for start in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[start:start + batch_size])
        yield features[batch_indices], labels[batch_indices]
    # END SOLUTION


def linreg(X, w, b):
    """The linear regression model: ``X @ w + b``.

    ``b`` has shape (1,) and broadcasting adds it to every row.

    Args:
        X: float32 tensor of shape (n, d). The inputs.
        w: float32 tensor of shape (d, 1). The weights.
        b: float32 tensor of shape (1,). The bias.

    Returns:
        float32 tensor of shape (n, 1): one prediction per example.
    """
    # BEGIN SOLUTION
    return X @ w + b
    # END SOLUTION


def squared_loss(y_hat, y):
    """Half the squared error of each example: ``(y_hat - y) ** 2 / 2``.

    One value per example: do NOT average or sum here (the training loop sums
    and ``sgd`` divides by the batch size). ``y`` may arrive as shape (n,) or
    (n, 1); reshape it to ``y_hat``'s shape first, or broadcasting turns an
    (n, 1) minus (n,) into an (n, n) matrix.

    Args:
        y_hat: float32 tensor of shape (n, 1). The predictions.
        y: float32 tensor of shape (n,) or (n, 1). The labels.

    Returns:
        float32 tensor with the shape of ``y_hat``, (n, 1).
    """
    # BEGIN SOLUTION
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
    # END SOLUTION


def sgd(params, lr, batch_size):
    """One step of mini-batch stochastic gradient descent, in place.

    For each tensor ``p`` in ``params``, the new value is::

        p  <-  p - lr * p.grad / batch_size      (then p.grad is set to zero)

    The gradient is of a SUM over the batch, so dividing by ``batch_size``
    makes the step use the mean gradient. Update inside ``with torch.no_grad():``
    so the update is not recorded in the autograd graph, change ``p`` in place
    (``p -= ...``, not ``p = p - ...``, which only rebinds a local name), and
    zero ``p.grad`` afterwards (``p.grad.zero_()``): PyTorch adds new gradients
    to old ones.

    Args:
        params: list of float32 tensors with ``requires_grad=True`` and a
            ``.grad`` filled by ``backward()``.
        lr: float. The learning rate.
        batch_size: int. The number of examples whose losses were summed.

    Returns:
        None. The tensors are updated in place.
    """
    # BEGIN SOLUTION
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
    # END SOLUTION


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    """Train a linear regression with the four functions above.

    The parameters start as ``w ~ N(0, 0.01**2)`` of shape (d, 1) and ``b = 0``
    of shape (1,), both with ``requires_grad=True`` (already written for you).
    For each epoch, for each mini-batch ``X, y`` that ``data_iter`` yields
    (with this ``batch_size``, ``features`` and ``labels``):

    1. predict with ``linreg`` and compute the loss of each example with
       ``squared_loss``: a (k, 1) tensor, one loss per example;
    2. backpropagate the SUM of the batch's losses (``backward()`` needs a
       single number);
    3. update both parameters with ``sgd``, giving it ``batch_size``: it turns
       the summed gradient into a mean step and zeroes ``.grad``.

    After each epoch append the MEAN ``squared_loss`` over all the data (a
    Python float, computed under ``torch.no_grad()``) to ``losses``.

    Args:
        features: float32 tensor of shape (n, d).
        labels: float32 tensor of shape (n, 1).
        lr: float. The learning rate.
        num_epochs: int. Passes over the data; 0 returns the initial values.
        batch_size: int. Examples per step.

    Returns:
        ``(w, b, losses)``: ``w`` a float32 tensor of shape (d, 1), ``b`` a
        float32 tensor of shape (1,), ``losses`` a list of ``num_epochs`` floats.
    """
    w = torch.normal(0.0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    # BEGIN SOLUTION
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    # END SOLUTION
    return w, b, losses

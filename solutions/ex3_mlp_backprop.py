"""Exercise 3: backpropagation through a two-layer network, by hand (NumPy only).

The network, for a batch ``X`` of n examples with d features and h hidden units::

    Z1    = X @ W1 + b1          (n, h)   b1 (h,) is broadcast to every row
    A1    = act(Z1)              (n, h)   act is sigmoid or relu
    y_hat = A1 @ W2 + b2         (n, 1)   a linear output
    L     = mean(0.5 * (y_hat - y) ** 2)  a MEAN over the n examples

Backpropagation applies the chain rule from ``L`` back to every parameter,
re-using the values the forward pass computed (the "cache").

Rules: NumPy only (do not import torch here). Run ``make grade`` to check.
"""

import numpy as np


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, elementwise.

    Args:
        z: float64 ndarray of any shape.

    Returns:
        float64 ndarray of ``z``'s shape, every value in (0, 1).
    """
    # BEGIN SOLUTION
    return np.exp(-np.logaddexp(0.0, -z))
    # END SOLUTION


def sigmoid_grad(z):
    """Derivative of the sigmoid at ``z``: ``sigmoid(z) * (1 - sigmoid(z))``.

    Note the argument is the PRE-activation ``z``, not ``sigmoid(z)``.

    Args:
        z: float64 ndarray of any shape.

    Returns:
        float64 ndarray of ``z``'s shape, every value in (0, 0.25].
    """
    # BEGIN SOLUTION
    s = sigmoid(z)
    return s * (1.0 - s)
    # END SOLUTION


def relu(z):
    """The rectified linear unit ``max(z, 0)``, elementwise.

    Args:
        z: float64 ndarray of any shape.

    Returns:
        float64 ndarray of ``z``'s shape.
    """
    # BEGIN SOLUTION
    return np.maximum(z, 0.0)
    # END SOLUTION


def relu_grad(z):
    """Derivative of ``relu`` at ``z``: 1.0 where ``z > 0``, else 0.0.

    At ``z == 0`` we use 0.0, as PyTorch does.

    Args:
        z: float64 ndarray of any shape.

    Returns:
        float64 ndarray of ``z``'s shape holding 0.0 and 1.0.
    """
    # BEGIN SOLUTION
    return (z > 0).astype(np.float64)
    # END SOLUTION


def unbroadcast(grad, shape):
    """Reduce a gradient to the shape of an operand that was broadcast.

    When an array of shape ``shape`` is broadcast in the forward pass (for
    example ``b1`` of shape (h,) added to every row of an (n, h) matrix), each
    of its entries is used several times, so its gradient is the SUM of the
    upstream gradient over the copies:

    * sum over the leading axes that broadcasting added
      ((n, h) -> (h,): sum over axis 0);
    * sum, keeping the axis, over every axis where ``shape`` has size 1 but
      ``grad`` does not ((n, h) -> (1, h): ``sum(axis=0, keepdims=True)``).

    Args:
        grad: float64 ndarray, the upstream gradient, of the broadcast shape.
        shape: tuple of ints. The shape of the operand before broadcasting.

    Returns:
        float64 ndarray of exactly ``shape``.
    """
    # BEGIN SOLUTION
    shape = tuple(shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)
    # END SOLUTION


_ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_grad), "relu": (relu, relu_grad)}


def mlp_forward(X, params, activation="sigmoid"):
    """Forward pass of the two-layer network.

    ::

        Z1 = X @ W1 + b1;  A1 = act(Z1);  y_hat = A1 @ W2 + b2

    Args:
        X: float64 ndarray of shape (n, d).
        params: dict with ``W1`` (d, h), ``b1`` (h,), ``W2`` (h, 1), ``b2`` (1,),
            all float64 ndarrays.
        activation: ``"sigmoid"`` or ``"relu"``.

    Returns:
        ``(y_hat, cache)``: ``y_hat`` a float64 ndarray of shape (n, 1); ``cache``
        anything you like (a dict or tuple) holding what ``mlp_backward`` needs,
        such as ``X``, ``Z1``, ``A1``, ``y_hat`` and the activation's name.
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be 'sigmoid' or 'relu', not {activation!r}")
    act, _ = _ACTIVATIONS[activation]
    # BEGIN SOLUTION
    Z1 = X @ params["W1"] + params["b1"]
    A1 = act(Z1)
    y_hat = A1 @ params["W2"] + params["b2"]
    cache = {"X": X, "Z1": Z1, "A1": A1, "y_hat": y_hat, "activation": activation}
    # END SOLUTION
    return y_hat, cache


def mse_loss(y_hat, y):
    """Mean over the examples of half the squared error.

    ::

        L = mean(0.5 * (y_hat - y) ** 2)     (a MEAN over the n examples)

    Args:
        y_hat: float64 ndarray of shape (n, 1). The predictions.
        y: float64 ndarray of shape (n, 1) or (n,). The targets; reshape it to
            ``y_hat``'s shape before subtracting.

    Returns:
        A Python float.
    """
    # BEGIN SOLUTION
    return float(np.mean(0.5 * (y_hat - y.reshape(y_hat.shape)) ** 2))
    # END SOLUTION


def mlp_backward(y, cache, params):
    """Gradients of ``mse_loss(y_hat, y)`` with respect to every parameter.

    Work backwards with the chain rule (``n`` = number of examples; the 1/n
    comes from the mean in the loss). ``dL/dV`` is the gradient of the loss
    with respect to ``V`` and has ``V``'s shape (in code, name it ``dV``)::

        dL/dy_hat = (y_hat - y) / n                     (n, 1)
        dL/dW2    = A1.T @ dL/dy_hat                    (h, 1)
        dL/db2    = dL/dy_hat summed over the batch     (1,)
        dL/dA1    = dL/dy_hat @ W2.T                    (n, h)
        dL/dZ1    = dL/dA1 * act'(Z1), elementwise      (n, h)  act' at Z1, not at A1
        dL/dW1    = X.T @ dL/dZ1                        (d, h)
        dL/db1    = dL/dZ1 summed over the batch        (h,)    (``unbroadcast``)

    Args:
        y: float64 ndarray of shape (n, 1) or (n,). The targets.
        cache: what your ``mlp_forward`` returned as its cache.
        params: the same parameter dict ``mlp_forward`` used.

    Returns:
        dict with keys ``W1``, ``b1``, ``W2``, ``b2``: float64 ndarrays with the
        same shapes as the parameters.
    """
    # BEGIN SOLUTION
    _, act_grad = _ACTIVATIONS[cache["activation"]]
    X, Z1, A1, y_hat = cache["X"], cache["Z1"], cache["A1"], cache["y_hat"]
    n = X.shape[0]
    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n
    dW2 = A1.T @ dy_hat
    db2 = unbroadcast(dy_hat, params["b2"].shape)
    dZ1 = (dy_hat @ params["W2"].T) * act_grad(Z1)
    dW1 = X.T @ dZ1
    db1 = unbroadcast(dZ1, params["b1"].shape)
    # END SOLUTION
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def fit_mlp(X, y, hidden=16, lr=0.5, epochs=2000, activation="sigmoid", seed=0):
    """Full-batch gradient descent on the two-layer network.

    The parameters start small and random (already written for you). Each
    epoch: run ``mlp_forward`` on all of ``X``, append ``mse_loss`` (the loss
    BEFORE this epoch's update) to ``losses``, run ``mlp_backward``, and move
    every parameter, in place, against its gradient (the entry of the same
    name in the gradient dict) by ``lr`` times that gradient.

    Args:
        X: float64 ndarray of shape (n, d).
        y: float64 ndarray of shape (n, 1).
        hidden: int h. Hidden units.
        lr: float. The learning rate.
        epochs: int. Number of updates; 0 returns the initial parameters.
        activation: ``"sigmoid"`` or ``"relu"``.
        seed: int. Seed of the initialisation.

    Returns:
        ``(params, losses)``: the trained parameter dict (shapes as in
        ``mlp_forward``) and a list of ``epochs`` floats.
    """
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    params = {
        "W1": rng.normal(0.0, 1.0, (d, hidden)) / np.sqrt(d),
        "b1": np.zeros(hidden),
        "W2": rng.normal(0.0, 1.0, (hidden, 1)) / np.sqrt(hidden),
        "b2": np.zeros(1),
    }
    losses = []
    # BEGIN SOLUTION
    for _ in range(epochs):
        y_hat, cache = mlp_forward(X, params, activation)
        losses.append(mse_loss(y_hat, y))
        grads = mlp_backward(y, cache, params)
        for key in params:
            params[key] -= lr * grads[key]
    # END SOLUTION
    return params, losses

"""Exercise 4: autograd's rules, and the same model the concise way with torch.nn.

In exercise 2 you wrote every piece of linear regression yourself. PyTorch
has them all: ``TensorDataset`` and ``DataLoader`` make the mini-batches,
``nn.Linear`` is the model, ``nn.MSELoss`` the loss and ``optim.SGD`` the
update. Before using them, this exercise looks at the rules they rely on:

* ``backward()`` ADDS the new gradient to whatever ``.grad`` already holds,
  so gradients must be zeroed between steps (``optimizer.zero_grad()``);
* an update of a parameter must not be recorded by autograd: write it inside
  ``with torch.no_grad():`` and change the tensor in place;
* only leaf tensors (made by you, with ``requires_grad=True``) keep a
  ``.grad``; a tensor computed from them has none.

Conventions used throughout:
* ``nn.MSELoss()`` is the MEAN of ``(y_hat - y) ** 2`` over the batch, with
  no 1/2: its gradient is twice that of exercise 2's ``squared_loss`` summed
  and divided by the batch size, so ``lr=0.03`` here takes the steps that
  ``lr=0.06`` took there;
* every loss you record is a Python ``float``.

Run ``make grade`` to check your work.
"""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def grad_at(f, x):
    """The gradient of a scalar function ``f`` at the point ``x``, by autograd.

    ``f`` takes a tensor of ``x``'s shape and returns a scalar tensor (one
    number), for example ``f(x) = (x**2 + 3*x + 1).sum()``, whose gradient at
    ``x = 2`` is 7. Work on a copy of ``x`` that requires a gradient: the
    caller's ``x`` must come back untouched (no ``requires_grad``, no
    ``.grad``), so that calling ``grad_at`` twice on the same ``x`` gives the
    same answer twice, not a sum of the two.

    Args:
        f: a function from a tensor of ``x``'s shape to a scalar tensor.
        x: float64 tensor of shape (d,) or (m, d). The point.

    Returns:
        float64 tensor of ``x``'s shape: the partial derivative of ``f`` with
        respect to each entry of ``x``, not attached to any graph.
    """
    # BEGIN SOLUTION
    point = x.detach().clone().requires_grad_(True)
    f(point).backward()
    return point.grad
    # END SOLUTION


def descend(f, x0, lr, steps, zero_grad=True):
    """Plain gradient descent on ``f`` from ``x0``, with autograd's gradients.

    Make a leaf tensor from a copy of ``x0`` that requires a gradient. Then,
    ``steps`` times: compute ``f`` at the current point, call ``backward()``,
    and move the point against its ``.grad`` by ``lr`` times the gradient.
    The move must be in place and must not be recorded by autograd. With
    ``zero_grad=True`` set the gradient back to zero after each move, so each
    step uses only the gradient at the current point. With
    ``zero_grad=False`` do not: then ``backward()`` keeps adding to
    ``.grad``, and step ``t`` moves by the SUM of the gradients at the first
    ``t`` points (this is what a forgotten ``zero_grad()`` does).

    Args:
        f: a function from a tensor of ``x0``'s shape to a scalar tensor.
        x0: float64 tensor of shape (d,). The starting point (left unchanged).
        lr: float. The learning rate.
        steps: int. How many updates; 0 returns a copy of ``x0``.
        zero_grad: bool. Whether to zero the gradient after each update.

    Returns:
        float64 tensor of shape (d,): the point after ``steps`` updates, not
        attached to any graph (``requires_grad`` False).
    """
    # BEGIN SOLUTION
    x = x0.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
            if zero_grad:
                x.grad.zero_()
    return x.detach()
    # END SOLUTION


def load_array(features, labels, batch_size, shuffle=True):
    """The data set as PyTorch's mini-batch iterator: a ``DataLoader`` over a ``TensorDataset``.

    Pair each example with its label in a ``TensorDataset`` and wrap it in a
    ``DataLoader`` that gives ``batch_size`` examples at a time, in a new
    random order on every pass when ``shuffle`` is True and in the original
    order when it is False. Keep the last, shorter batch (do not drop it).
    Leave the random order to the ``DataLoader`` (pass it no generator of
    your own), so that ``torch.manual_seed`` makes it repeatable.
    This replaces exercise 2's ``data_iter``.

    Args:
        features: float32 tensor of shape (n, d).
        labels: float32 tensor of shape (n, 1).
        batch_size: int. Examples per batch.
        shuffle: bool. Whether each pass uses a fresh random order.

    Returns:
        a ``torch.utils.data.DataLoader``; iterating over it yields
        ``(X, y)`` pairs of shapes (k, d) and (k, 1), ``k == batch_size``
        except possibly for the last batch.
    """
    # BEGIN SOLUTION
    dataset = TensorDataset(features, labels)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)
    # END SOLUTION


def train_concise(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    """Exercise 2's linear regression, the concise way: ``nn.Linear``, ``nn.MSELoss``, ``optim.SGD``.

    The model ``net = nn.Linear(d, 1)`` starts with weights drawn from
    N(0, 0.01**2) and a zero bias (already written for you). Make the batches
    with your ``load_array`` (shuffled), the loss with ``nn.MSELoss()`` (the
    MEAN of ``(y_hat - y) ** 2`` over a batch, no 1/2) and the optimizer with
    ``torch.optim.SGD`` over ``net.parameters()``. For every batch: clear the
    old gradients, compute the loss, backpropagate, take a step.

    After each epoch append the loss over ALL the data (``nn.MSELoss()`` of
    ``net(features)`` against ``labels``, a Python float, computed under
    ``torch.no_grad()``) to ``losses``.

    Args:
        features: float32 tensor of shape (n, d).
        labels: float32 tensor of shape (n, 1).
        lr: float. The learning rate.
        num_epochs: int. Passes over the data; 0 returns the initial model.
        batch_size: int. Examples per step.

    Returns:
        ``(net, losses)``: the trained ``nn.Linear(d, 1)`` (its ``weight``
        has shape (1, d), its ``bias`` (1,), float32) and a list of
        ``num_epochs`` floats.
    """
    net = nn.Linear(features.shape[1], 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    losses = []
    # BEGIN SOLUTION
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in load_array(features, labels, batch_size):
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()
        with torch.no_grad():
            losses.append(float(loss(net(features), labels)))
    # END SOLUTION
    return net, losses


class TinyNet(nn.Module):
    """A tiny network for regression: ``n_in`` inputs -> ``n_hidden`` ReLU units -> 1 output.

    ``__init__`` makes two layers, named exactly ``hidden`` (an
    ``nn.Linear(n_in, n_hidden)``) and ``output`` (an ``nn.Linear(n_hidden, 1)``):
    the grader loads its own starting weights into them by these names.
    ``forward`` applies ``hidden``, then the ReLU, then ``output``.

    Args (of ``__init__``):
        n_in: int. Features per example (4 by default).
        n_hidden: int. Hidden units (8 by default).

    ``forward(X)``: X a float32 tensor of shape (n, n_in); returns a float32
    tensor of shape (n, 1), one prediction per example.
    """

    def __init__(self, n_in=4, n_hidden=8):
        super().__init__()
        # BEGIN SOLUTION
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, 1)
        # END SOLUTION

    def forward(self, X):
        # BEGIN SOLUTION
        return self.output(torch.relu(self.hidden(X)))
        # END SOLUTION


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    """Train ``net`` on all of ``(X, y)`` at once, with ``nn.MSELoss`` and ``optim.SGD``.

    Each epoch is one step on the whole data set, the loop every PyTorch
    program has: clear the optimizer's gradients, compute the loss of the
    current predictions, backpropagate it, step. Record each epoch's loss
    (the one just computed, BEFORE the step) as a Python float. Leave out
    the clearing and each step adds the new gradient to all the old ones.

    Args:
        net: a ``TinyNet`` (any ``nn.Module`` mapping (n, n_in) to (n, 1)),
            changed in place.
        X: float32 tensor of shape (n, n_in).
        y: float32 tensor of shape (n, 1).
        lr: float. The learning rate of ``optim.SGD``.
        epochs: int. How many steps.

    Returns:
        list of ``epochs`` floats: the mean squared error (``nn.MSELoss()``,
        no 1/2) before each step.
    """
    losses = []
    # BEGIN SOLUTION
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = loss(net(X), y)
        value.backward()
        trainer.step()
        losses.append(value.item())
    # END SOLUTION
    return losses

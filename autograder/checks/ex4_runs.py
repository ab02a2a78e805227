"""Exercise 4's runs on the grader's side: the data, the starting weights and the paths the checks compare the
learner's with, computed here with torch (autograd in float64 for ``grad_at`` and ``descend``; the training loops
written functionally with ``torch.autograd.grad`` from the same seed and in the same order of random draws as a
correct answer, and the classic mistakes' runs beside them). Nothing here judges an answer (``ex4_support`` does)
and nothing uses the reference solution; the runs that are the same for every submission are remembered.
"""

from __future__ import annotations

import numpy as np
import torch

from autograder.checking import remembered
from autograder.checks.in_sandbox.ex4_autograd_nn import FUNCTIONS


def autograd_grad(name: str, x: np.ndarray) -> np.ndarray:
    point = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    FUNCTIONS[name](point).backward()
    if point.grad is None:  # (each of FUNCTIONS uses its input)
        raise RuntimeError(f"{name} does not depend on its input")
    return point.grad.numpy()


@remembered  # the same for every submission
def descent(name: str, x0: np.ndarray, lr: float, steps: int, zero_grad: bool) -> np.ndarray:
    """Gradient descent in float64 under autograd's rule: without zeroing, the gradient used is the running sum.

    Written functionally with ``torch.autograd.grad`` (not the in-place loop the exercise asks for, so
    that these public checks do not hand out its answer).
    """
    point = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    held = torch.zeros_like(point)
    for _step in range(steps):
        (gradient,) = torch.autograd.grad(FUNCTIONS[name](point), point)
        held = gradient if zero_grad else held + gradient
        point = torch.add(point.detach(), held, alpha=-lr).requires_grad_(True)
    return point.detach().numpy()


@remembered  # the same for every submission
def dataloader_orders(n: int, batch_size: int, passes: int, seed: int) -> list:
    """The orders of ``passes`` passes of a shuffling DataLoader over n examples, from ``torch.manual_seed(seed)``:
    PyTorch's own sampler, run here on the global generator's state from that seed (and the state restored)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # a range is a map-style dataset (__len__ and __getitem__), which torch's annotations do not know
        loader: torch.utils.data.DataLoader[int] = torch.utils.data.DataLoader(
            range(n),  # type: ignore[arg-type]
            batch_size=batch_size,
            shuffle=True,
        )
        return [[int(i) for batch in loader for i in batch] for _ in range(passes)]


def full_mse(features, labels, weight, bias) -> float:
    """nn.MSELoss over all the data for these parameters, in float64."""
    X, y = features.numpy().astype(np.float64), labels.numpy().astype(np.float64)
    return float(np.mean((X @ weight.T + bias - y) ** 2))


@remembered
def concise_reference(features, labels, lr, num_epochs, batch_size, seed, mistake=None):
    """train_concise as the grader runs it from ``seed``: (weight, bias) as float64 arrays, and the loss over all
    the data after each epoch.

    The same random draws, in the same order, as any correct train_concise started from
    ``torch.manual_seed(seed)``: nn.Linear's own initialisation, the N(0, 0.01**2) weights the stub
    sets, then one draw per epoch for the shuffled order (a DataLoader over the indices draws as one
    over the examples). The steps are written functionally, with ``torch.autograd.grad``.

    ``mistake`` (see CONCISE_MISTAKES): "no_zero_grad" (each step by the sum of all gradients so far),
    "never_moves" (no step reaches the weights), "sum_loss" (nn.MSELoss(reduction='sum') in the steps).
    """
    torch.manual_seed(seed)
    layer = torch.nn.Linear(features.shape[1], 1)
    torch.nn.init.normal_(layer.weight, 0.0, 0.01)
    torch.nn.init.zeros_(layer.bias)
    weight, bias = layer.weight.detach().requires_grad_(True), layer.bias.detach().requires_grad_(True)
    order = torch.utils.data.DataLoader(range(len(features)), batch_size=batch_size, shuffle=True)
    curve = []
    held_w, held_b = torch.zeros_like(weight), torch.zeros_like(bias)
    for _epoch in range(num_epochs):
        for rows in order:
            error = torch.nn.functional.mse_loss(
                torch.nn.functional.linear(features[rows], weight, bias),
                labels[rows],
                reduction="sum" if mistake == "sum_loss" else "mean",
            )
            step_w, step_b = torch.autograd.grad(error, (weight, bias))
            if mistake == "no_zero_grad":
                held_w, held_b = held_w + step_w, held_b + step_b
                step_w, step_b = held_w, held_b
            if mistake == "never_moves":
                continue
            weight = torch.add(weight.detach(), step_w, alpha=-lr).requires_grad_(True)
            bias = torch.add(bias.detach(), step_b, alpha=-lr).requires_grad_(True)
        fitted = torch.nn.functional.linear(features, weight.detach(), bias.detach())  # (no graph)
        curve.append(float(torch.nn.functional.mse_loss(fitted, labels)))
    return weight.detach().numpy().astype(np.float64), bias.detach().numpy().astype(np.float64), curve


CONCISE_MISTAKES = ("no_zero_grad", "never_moves", "sum_loss")


def least_squares(features, labels) -> np.ndarray:
    """The least-squares line (weights, then bias) of the data: what a closed form returns."""
    X = np.concatenate([features.double().numpy(), np.ones((len(features), 1))], axis=1)
    solution, *_ = np.linalg.lstsq(X, labels.double().numpy(), rcond=None)
    return solution.ravel()


def tiny_forward(params: dict, X, activation=torch.relu):
    """The tiny network's forward pass from its parameters (functional: the same arithmetic as nn.Linear)."""
    linear = torch.nn.functional.linear
    hidden = activation(linear(X, params["hidden.weight"], params["hidden.bias"]))
    return linear(hidden, params["output.weight"], params["output.bias"])


def tiny_start(n_in: int, n_hidden: int, seed: int) -> dict:
    """Starting weights for TinyNet, as plain float32 tensors (what the grader loads into the learner's net)."""
    generator = torch.Generator().manual_seed(seed)
    shapes = {
        "hidden.weight": (n_hidden, n_in),
        "hidden.bias": (n_hidden,),
        "output.weight": (1, n_hidden),
        "output.bias": (1,),
    }
    return {name: (torch.rand(shape, generator=generator) - 0.5) for name, shape in shapes.items()}


def tiny_data(n: int, n_in: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    X = torch.normal(0.0, 1.0, (n, n_in), generator=generator)
    y = X[:, :1] - 0.5 * X[:, 1:2] ** 2 + torch.normal(0.0, 0.1, (n, 1), generator=generator)
    return X, y


@remembered
def tiny_reference(state: dict, X, y, lr: float, epochs: int, mistake: str | None = None):
    """The fit run on the grader's side from ``state``: (losses, final state), or a classic mistake's.

    Functional (``torch.autograd.grad``), with SGD's arithmetic: ``p - lr * g`` as ``torch.add(p, g,
    alpha=-lr)``. Without zero_grad the gradient used is the running sum, as ``.grad`` accumulates.
    """
    params = {name: tensor.clone().requires_grad_(True) for name, tensor in state.items()}
    held = {name: torch.zeros_like(tensor) for name, tensor in state.items()}
    losses = []
    for _epoch in range(epochs):
        error = torch.nn.functional.mse_loss(
            tiny_forward(params, X), y, reduction="sum" if mistake == "sum_loss" else "mean"
        ) / (2 if mistake == "half_loss" else 1)
        grads = dict(zip(params, torch.autograd.grad(error, list(params.values())), strict=True))
        held = {name: held[name] + grads[name] if mistake == "no_zero_grad" else grads[name] for name in params}
        if mistake != "never_moves":  # (a missing step(), or zero_grad() between backward() and step())
            params = {
                name: torch.add(p.detach(), held[name], alpha=-lr).requires_grad_(True) for name, p in params.items()
            }
        if mistake == "loss_after_step":
            error = torch.nn.functional.mse_loss(tiny_forward(params, X), y)
        losses.append(error.item())
    return np.array(losses), {name: p.detach().numpy() for name, p in params.items()}


TINY_MISTAKES = ("no_zero_grad", "loss_after_step", "never_moves", "half_loss", "sum_loss")

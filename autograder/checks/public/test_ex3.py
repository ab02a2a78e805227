"""Public checks for exercise 3: backpropagation through a two-layer network (NumPy).

Every expected value and gradient comes from torch (autograd in float64).
"""

import numpy as np
import torch

from autograder.checking import check, expect_array, expect_float, fail, figures, fmt, text
from autograder.checks.ex3_support import (
    EXACT,
    check_backward,
    expect_fit_path,
    mlp_path,
    random_network,
    run_fit,
    torch_forward,
)

EXERCISE = "ex3_mlp_backprop"
SANDBOX = "numpy"  # NumPy only: graded where torch cannot be imported
# derivatives worked out by hand (autograder/checking/byhand.py): no complex step, no difference quotient, no function
# evaluated at a shifted point (running mlp_forward again at the same parameters is fine)
BY_HAND = {"sigmoid_grad": (), "relu_grad": (), "mlp_backward": (), "fit_mlp": ()}


def grid():
    return np.concatenate([np.linspace(-6, 6, 13), [0.0, -40.0, 40.0, -800.0, 800.0]]).reshape(3, 6)


def autograd_elementwise(fn, z):
    point = torch.tensor(z, requires_grad=True)
    fn(point).sum().backward()
    return point.grad.numpy()


@check(points=2, function="sigmoid")
def test_sigmoid(student):
    """sigmoid: matches torch.sigmoid, also at z = -800 and 800"""
    z = grid()
    expect_array(
        student.ex3.sigmoid(z),
        torch.sigmoid(torch.tensor(z)).numpy(),
        what=text("ex3.what.sigmoid_range"),
        **EXACT,
        mistakes=[("ex3.hint.sigmoid_sign", torch.sigmoid(torch.tensor(-z)).numpy())],
    )


@check(points=2, function="sigmoid_grad")
def test_sigmoid_grad(student):
    """sigmoid_grad: matches torch.autograd of the sigmoid at z"""
    z = grid()
    expected = autograd_elementwise(torch.sigmoid, z)
    expect_array(
        student.ex3.sigmoid_grad(z),
        expected,
        what="sigmoid_grad(z)",
        **EXACT,
        mistakes=[
            ("ex3.hint.grad_of_activation", z * (1 - z)),
            ("ex3.hint.sigmoid_grad_formula", torch.sigmoid(torch.tensor(z)).numpy()),
        ],
    )


@check(points=1, function="relu")
def test_relu(student):
    """relu: max(z, 0) elementwise"""
    z = grid()
    # np.max(z, 0) is a reduction (the largest entry of each column), not the elementwise np.maximum
    expect_array(
        student.ex3.relu(z),
        torch.relu(torch.tensor(z)).numpy(),
        what="relu(z)",
        **EXACT,
        shape_hints={(z.shape[1],): "ex3.hint.max_not_maximum", (): "ex3.hint.max_not_maximum"},
    )


@check(points=1, function="relu_grad")
def test_relu_grad(student):
    """relu_grad: matches torch.autograd (1 where z > 0, 0 elsewhere, 0 at z = 0)"""
    z = grid()
    expected = autograd_elementwise(torch.relu, z)
    expect_array(
        student.ex3.relu_grad(z),
        expected,
        what="relu_grad(z)",
        **EXACT,
        mistakes=[("ex3.hint.relu_at_zero", (z >= 0).astype(float)), ("ex3.hint.relu_grad_is_relu", np.maximum(z, 0))],
    )


@check(points=3, function="unbroadcast")
def test_unbroadcast(student):
    """unbroadcast: matches the gradient torch.autograd gives a broadcast operand"""
    rng = np.random.default_rng(31)
    # an axis stretched from 1 to exactly 2, an empty batch, and a single number (a 0-d array) too
    for big, small in (
        ((4, 3), (3,)),
        ((4, 3), (1, 3)),
        ((2, 4, 3), (4, 1)),
        ((5,), (1,)),
        ((2, 3), (2, 3)),
        ((3, 2, 5), (1,)),
        ((2, 3), (1, 3)),
        ((0, 3), (3,)),
        ((), ()),
    ):
        upstream = rng.normal(size=big)
        operand = torch.zeros(small, dtype=torch.float64, requires_grad=True)
        # (x * upstream).sum() rather than x.backward(upstream): same gradient, and much faster on first use
        ((operand + torch.zeros(big, dtype=torch.float64)) * torch.tensor(upstream)).sum().backward()
        expected = operand.grad.numpy()
        mean_variant = expected / (upstream.size / max(expected.size, 1)) if upstream.size else expected
        # the shapes of the usual mistakes: nothing summed, everything summed, the size-1 axes dropped
        squeezed = tuple(size for size in small if size != 1)
        shape_hints = {tuple(big): "ex3.hint.unbroadcast_shape", (): "ex3.hint.unbroadcast_all"}
        if squeezed and squeezed != tuple(small):
            shape_hints[squeezed] = "ex3.hint.unbroadcast_keepdims"
        expect_array(
            student.ex3.unbroadcast(upstream, small),
            expected,
            what=text("ex3.what.unbroadcast", big=big, small=small),
            **EXACT,
            mistakes=[("ex3.hint.unbroadcast_mean", mean_variant)],
            shape_hints=shape_hints,
        )


def network(n=10, d=3, h=5, seed=32):
    return random_network(np.random.default_rng(seed), n, d, h)


@check(points=3, function="mlp_forward")
def test_mlp_forward(student):
    """mlp_forward: y_hat of shape (n, 1) matches a torch forward pass (the sigmoid by default)"""
    X, _, params = network()
    t = {k: torch.tensor(v) for k, v in params.items()}
    linear = ((torch.tensor(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]).numpy()  # the activation left out
    for activation in ("sigmoid", "relu", None):  # None: the argument left out, the sigmoid by default
        if activation is None:
            result = student.ex3.mlp_forward(X, params)
        else:
            result = student.ex3.mlp_forward(X, params, activation)
        if not isinstance(result, tuple) or len(result) != 2:
            fail(text("ex3.forward_pair"), got=fmt(result), hint="hint.return_pair")
        expected = torch_forward(X, params, activation or "sigmoid")[0].detach().numpy()
        mistakes = [("ex3.hint.forward_no_activation", linear)]
        if activation is None:
            mistakes.append(("ex3.hint.default_activation", torch_forward(X, params, "relu")[0].detach().numpy()))
        else:  # the other activation's network: the argument not followed
            other = "relu" if activation == "sigmoid" else "sigmoid"
            mistakes.append(("ex3.hint.activation_not_followed", torch_forward(X, params, other)[0].detach().numpy()))
        what = (
            text("ex3.what.mlp_forward", activation=activation) if activation else text("ex3.what.mlp_forward_default")
        )
        expect_array(
            result[0], expected, what=what, **EXACT, shape_hints={(10,): "ex3.hint.output_column"}, mistakes=mistakes
        )


@check(points=2, function="mse_loss")
def test_mse_loss(student):
    """mse_loss: mean(0.5 * (y_hat - y)**2) as a float, for y of shape (n,) or (n, 1)"""
    rng = np.random.default_rng(33)
    y_hat, y = rng.normal(size=(8, 1)), rng.normal(size=(8, 1))
    expected = float(torch.nn.functional.mse_loss(torch.tensor(y_hat), torch.tensor(y)) / 2)
    broadcast = float(np.mean(0.5 * (y_hat - y.ravel()) ** 2))
    for label, labels in (("(8, 1)", y), ("(8,)", y.ravel())):
        expect_float(
            student.ex3.mse_loss(y_hat, labels),
            expected,
            what=text("ex3.what.mse_loss", label=label),
            **EXACT,
            mistakes=[
                ("ex3.hint.loss_sum", expected * 8),
                ("ex3.hint.loss_half", expected * 2),
                ("ex2.hint.missing_reshape", broadcast),
            ],
        )


@check(points=5, function="mlp_backward", uses=("mlp_forward",))
def test_mlp_backward_sigmoid(student):
    """mlp_backward: every gradient matches torch.autograd (sigmoid network)"""
    X, y, params = network()
    check_backward(student, X, y, params, "sigmoid")
    check_backward(student, X[:1], y[:1], params, "sigmoid")


@check(points=2, function="mlp_backward", uses=("mlp_forward",))
def test_mlp_backward_relu(student):
    """mlp_backward: every gradient matches torch.autograd (relu network, y of shape (n,))"""
    X, y, params = network(seed=34)
    check_backward(student, X, y.ravel(), params, "relu")


def record_fit(X, y, params, losses):
    """The learner's loss per epoch (always: the sparkline), and for pictures their fitted function against
    the target, from their trained parameters run forward here (torch, float64)."""
    numbers = [v for v in losses if isinstance(v, float)] if isinstance(losses, list) else []
    figures.record("loss_curve", function="fit_mlp", losses=numbers)
    if not figures.wanted():
        return
    try:
        arrays = {k: np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")}
        fitted = (
            (
                torch.sigmoid(torch.tensor(X) @ torch.tensor(arrays["W1"]) + torch.tensor(arrays["b1"]))
                @ torch.tensor(arrays["W2"])
                + torch.tensor(arrays["b2"])
            )
            .numpy()
            .ravel()
        )
    except (KeyError, TypeError, ValueError, RuntimeError):
        return
    if fitted.shape == (len(X),):
        figures.record("fit_function", function="fit_mlp", target=y.ravel(), fitted=fitted)


@check(points=3, function="fit_mlp")
def test_fit_mlp_learns(student):
    """fit_mlp: full-batch gradient descent, loss for loss and step for step, for either activation"""
    rng = np.random.default_rng(35)
    X = rng.uniform(-1, 1, size=(32, 2))
    y = (X[:, :1] * X[:, 1:] + 0.5 * X[:, :1]).reshape(-1, 1)
    for run in PUBLIC_FITS:
        mlp_path.ahead(X, y, **run)  # computed while the learner's run
    for run in PUBLIC_FITS:
        result = run_fit(student, X, y, **run)
        if run is PUBLIC_FITS[0] and isinstance(result, tuple) and len(result) == 2:
            record_fit(X, y, result[0], result[1])
        expect_fit_path(result, X, y, run, expected=mlp_path(X, y, **run))


# each argument other than in the other runs and than its default, and one run with no epoch (the starting
# parameters come back); the runs that leave arguments to their defaults are the hidden check's
PUBLIC_FITS = (
    {"hidden": 8, "lr": 0.5, "epochs": 120, "activation": "sigmoid", "seed": 1},
    {"hidden": 5, "lr": 0.2, "epochs": 40, "activation": "relu", "seed": 3},
    {"hidden": 6, "lr": 0.3, "epochs": 0, "activation": "sigmoid", "seed": 4},
)

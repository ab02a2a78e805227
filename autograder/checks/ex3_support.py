"""What exercise 3's public and hidden checks share: the backward-pass check against torch.autograd."""

import numpy as np
import torch

from autograder import figures

from autograder.expect import expect_array, fail, fmt
from autograder.explain import known_cause
from autograder.memo import remembered
from autograder.messages import text
from autograder.sandbox.client import StudentError, StudentException
from autograder.sandbox.codec import RemoteTensor

EXERCISE = "ex3_mlp_backprop"
EXACT = {"rtol": 1e-9, "atol": 1e-12}  # float64 on both sides: only rounding differs
KEYS = ("W1", "b1", "W2", "b2")


def torch_forward(X, params, activation):
    act = torch.sigmoid if activation == "sigmoid" else torch.relu
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    y_hat = act(torch.tensor(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    return y_hat, t


class _MisderivedSigmoid(torch.autograd.Function):
    """A sigmoid whose backward pass makes a classic mistake (to recognise it in an answer)."""

    @staticmethod
    def forward(ctx, z, mistake):
        ctx.save_for_backward(z)
        ctx.mistake = mistake
        return torch.sigmoid(z)

    @staticmethod
    def backward(ctx, upstream):
        (z,) = ctx.saved_tensors
        if ctx.mistake == "missing_act_grad":  # the activation's derivative left out
            return upstream, None
        s = torch.sigmoid(torch.sigmoid(z))  # "act_grad_on_activation": sigmoid' evaluated at sigmoid(z)
        return upstream * s * (1 - s), None


class _OtherDerivative(torch.autograd.Function):
    """The activation, with the OTHER activation's derivative in its backward pass (a classic mix-up)."""

    @staticmethod
    def forward(ctx, z, activation):
        ctx.save_for_backward(z)
        ctx.activation = activation
        return torch.sigmoid(z) if activation == "sigmoid" else torch.relu(z)

    @staticmethod
    def backward(ctx, upstream):
        (z,) = ctx.saved_tensors
        if ctx.activation == "sigmoid":
            return upstream * (z > 0).to(z.dtype), None
        s = torch.sigmoid(z)
        return upstream * s * (1 - s), None


def _gradients_through(function, X, y, params, *extra):
    """Gradients of W1 and b1 of the mean half squared error, by autograd, with ``function`` as the activation."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    out = function(torch.tensor(X) @ t["W1"] + t["b1"], *extra) @ t["W2"] + t["b2"]
    (0.5 * (out - torch.tensor(y).reshape(out.shape)) ** 2).mean().backward()
    return {"W1": t["W1"].grad.numpy(), "b1": t["b1"].grad.numpy()}


@remembered
def buggy_backward(X, y, params, activation):
    """Gradients of W1 and b1 with classic mistakes: the other activation's derivative, and (for the sigmoid)
    by autograd through a misderived sigmoid."""
    variants = {"other_act_grad": _gradients_through(_OtherDerivative.apply, X, y, params, activation)}
    if activation != "sigmoid":
        return variants
    for mistake in ("missing_act_grad", "act_grad_on_activation"):
        variants[mistake] = _gradients_through(_MisderivedSigmoid.apply, X, y, params, mistake)
    return variants


@remembered
def autograd_grads(X, y, params, activation) -> dict:
    """``{key: gradient}`` of the mean half squared error for each parameter, by torch.autograd in float64
    (the same for every submission: computed once per process)."""
    y_hat, tensors = torch_forward(X, params, activation)
    (0.5 * (y_hat - torch.tensor(y).reshape(y_hat.shape)) ** 2).mean().backward()
    return {key: tensors[key].grad.numpy() for key in KEYS}


def _runs(student, X, y, params, activation) -> bool:
    """Whether the learner's mlp_forward and mlp_backward run on these arguments without an error."""
    try:
        student.session.probe(EXERCISE, "mlp_grads", X, y, params, activation, function="mlp_backward")
    except StudentError:
        return False
    return True


def check_backward(student, X, y, params, activation):
    """The learner's mlp_backward (on their mlp_forward's cache) against autograd, naming known mistakes."""
    autograd = autograd_grads(X, y, params, activation)
    try:
        grads = student.session.probe(EXERCISE, "mlp_grads", X, y, params, activation, function="mlp_backward")
    except StudentException as error:
        # y of shape (n,): y_hat - y broadcasts to (n, n) and a later product fails; if the same code runs
        # with y as a column, that is the cause (and not the line the error points at)
        if y.ndim == 1 and _runs(student, X, y.reshape(-1, 1), params, activation):
            error.hint = "ex3.hint.y_not_reshaped"
        raise
    if not isinstance(grads, dict) or sorted(grads) != sorted(KEYS):
        fail(text("ex3.grads_dict"), expected=text("detail.grads_dict"),
             got=fmt(sorted(grads)) if isinstance(grads, dict) else fmt(grads), hint="ex3.hint.grads_dict")
    n, h = X.shape[0], params["W1"].shape[1]
    errors = {}
    for key in KEYS:  # for the picture: the learner's gradient minus autograd's, entry by entry
        got = grads[key]
        if isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.shape == autograd[key].shape:
            errors[key] = got - autograd[key]
    figures.record("grad_errors", function="mlp_backward", activation=activation,
                   errors={key: np.atleast_2d(value) for key, value in errors.items()},
                   scale={key: float(np.max(np.abs(autograd[key]))) for key in KEYS})
    buggy = buggy_backward(X, y, params, activation)
    for key in ("W2", "b2", "W1", "b1"):
        expected = autograd[key]
        mistakes = [("ex3.hint.missing_mean", expected * n), ("hint.sign", -expected)]
        if key.startswith("b"):  # the batch's mean where its sum belongs
            mistakes.append(("ex3.hint.bias_averaged", expected / n))
        for name, variant in buggy.items():
            if key in variant:
                mistakes.append((f"ex3.hint.{name}", variant[key]))
        if isinstance(grads[key], RemoteTensor):
            fail(text("expect.type_array", what=text("what.gradient_for", key=key, activation=activation), got=text("fmt.a_tensor", dtype="")), hint="hint.numpy_not_torch")
        if key.startswith("W"):  # a weight's gradient the other way round: the product taken in the wrong order
            shape_hints = {tuple(reversed(expected.shape)): "ex3.hint.weight_transposed"}
        else:
            shape_hints = {(n, h): "ex3.hint.bias_not_summed", (n, 1): "ex3.hint.bias_not_summed",
                           (1, h): "ex3.hint.bias_keepdims"}
        expect_array(grads[key], expected, what=text("what.gradient_for", key=key, activation=activation), **EXACT,
                     mistakes=mistakes, shape_hints=shape_hints)


def run_fit(student, X, y, **kwargs):
    """``fit_mlp`` in the sandbox; an error raised on the way gets the cause of a well-known one, or says
    to check how the loop calls the pieces (the report adds "fix `mlp_backward` first" when that fails)."""
    try:
        return student.session.call(EXERCISE, "fit_mlp", X, y, shared=True, **kwargs).value
    except StudentException as error:
        error.hint = getattr(error, "hint", None) or known_cause(error) or "ex3.hint.fit_loop_error"
        raise


def initial_and_first_step_losses(X, y, params, lr):
    """The loss at the learner's starting parameters, and after one correct full-batch step (torch, float64)."""
    t = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for k, v in params.items()}
    y_t = torch.tensor(y)
    loss = 0.5 * ((torch.sigmoid(torch.tensor(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"] - y_t) ** 2).mean()
    loss.backward()
    stepped = {k: (v - lr * v.grad).detach() for k, v in t.items()}  # one full-batch step, off the graph
    after = 0.5 * ((torch.sigmoid(torch.tensor(X) @ stepped["W1"] + stepped["b1"]) @ stepped["W2"]
                    + stepped["b2"] - y_t) ** 2).mean()
    return float(loss.detach()), float(after)

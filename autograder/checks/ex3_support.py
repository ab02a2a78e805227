"""What exercise 3's public and hidden checks share: the backward-pass check against torch.autograd."""

import numpy as np
import torch

from autograder.checking import (
    RemoteTensor,
    StudentError,
    StudentException,
    expect_array,
    expect_inputs_left_alone,
    expect_true,
    fail,
    figures,
    fmt,
    known_cause,
    probe_left_alone,
    remembered,
    text,
    within,
)

EXERCISE = "ex3_mlp_backprop"
EXACT = {"rtol": 1e-9, "atol": 1e-12}  # float64 on both sides: only rounding differs
KEYS = ("W1", "b1", "W2", "b2")


def random_network(rng: np.random.Generator, n: int, d: int, h: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """(X (n, d), y (n, 1), params: W1 (d, h), b1 (h,), W2 (h, 1), b2 (1,)), all float64 standard normal, drawn
    from ``rng`` in that order (X, W1, b1, W2, b2, y)."""
    X = rng.normal(size=(n, d))
    params = {
        "W1": rng.normal(size=(d, h)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(h, 1)),
        "b2": rng.normal(size=1),
    }
    y = rng.normal(size=(n, 1))
    return X, y, params


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


def pre_activation_dW2(X, y, params, activation) -> np.ndarray:
    """dW2 computed with Z1 (before the activation) in the place of A1: Z1.T @ dL/dy_hat."""
    y_hat, tensors = torch_forward(X, params, activation)
    z1 = torch.tensor(X) @ tensors["W1"] + tensors["b1"]
    upstream = (y_hat - torch.tensor(y).reshape(y_hat.shape)) / len(X)
    return (z1.T @ upstream).detach().numpy()


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
        grads = probe_left_alone(
            student.session,
            EXERCISE,
            "mlp_grads",
            X,
            y,
            params,
            activation,
            function="mlp_backward",
            names=("X", "y", "params"),
        )
    except StudentException as error:
        # y of shape (n,): y_hat - y broadcasts to (n, n) and a later product fails; if the same code runs
        # with y as a column, that is the cause (and not the line the error points at)
        if y.ndim == 1 and _runs(student, X, y.reshape(-1, 1), params, activation):
            error.hint = "ex3.hint.y_not_reshaped"
        raise
    if not isinstance(grads, dict) or sorted(grads) != sorted(KEYS):
        fail(
            text("ex3.grads_dict"),
            expected=text("ex3.detail.grads_dict"),
            got=fmt(sorted(grads)) if isinstance(grads, dict) else fmt(grads),
            hint="ex3.hint.grads_dict",
        )
    n, h = X.shape[0], params["W1"].shape[1]
    errors = {}
    for key in KEYS:  # for the picture: the learner's gradient minus autograd's, entry by entry
        got = grads[key]
        if isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.shape == autograd[key].shape:
            errors[key] = got - autograd[key]
    figures.record(
        "grad_errors",
        function="mlp_backward",
        activation=activation,
        errors={key: np.atleast_2d(value) for key, value in errors.items()},
        scale={key: float(np.max(np.abs(autograd[key]))) for key in KEYS},
    )
    buggy = buggy_backward(X, y, params, activation)
    for key in ("W2", "b2", "W1", "b1"):
        expected = autograd[key]
        mistakes = [("ex3.hint.missing_mean", expected * n), ("hint.sign", -expected)]
        if key == "W2":  # the pre-activation Z1 where the output layer's input A1 belongs
            mistakes.append(("ex3.hint.dW2_uses_Z1", pre_activation_dW2(X, y, params, activation)))
        if key.startswith("b"):  # the batch's mean where its sum belongs
            mistakes.append(("ex3.hint.bias_averaged", expected / n))
        for name, variant in buggy.items():
            if key in variant:
                mistakes.append((f"ex3.hint.{name}", variant[key]))
        if isinstance(grads[key], RemoteTensor):
            fail(
                text(
                    "expect.type_array",
                    what=text("ex3.what.gradient_for", key=key, activation=activation),
                    got=text("fmt.a_tensor", dtype=""),
                ),
                hint="hint.numpy_not_torch",
            )
        if key.startswith("W"):  # a weight's gradient the other way round: the product taken in the wrong order
            shape_hints = {tuple(reversed(expected.shape)): "ex3.hint.weight_transposed"}
        else:
            shape_hints = {
                (n, h): "ex3.hint.bias_not_summed",
                (n, 1): "ex3.hint.bias_not_summed",
                (1, h): "ex3.hint.bias_keepdims",
            }
            if key == "b1" and n != h:  # one entry per example: summed over the hidden units, not the batch
                shape_hints[(n,)] = "ex3.hint.bias_wrong_axis"
        expect_array(
            grads[key],
            expected,
            what=text("ex3.what.gradient_for", key=key, activation=activation),
            **EXACT,
            mistakes=mistakes,
            shape_hints=shape_hints,
        )


def run_fit(student, X, y, *, cause: str | None = None, **kwargs):
    """``fit_mlp`` in the sandbox; an error raised on the way gets ``cause`` (when the check knows it already),
    the cause of a well-known one, or says to check how the loop calls the pieces (the report adds "fix
    `mlp_backward` first" when that fails)."""
    try:
        result = student.session.call(EXERCISE, "fit_mlp", X, y, shared=True, fingerprints=True, **kwargs)
    except StudentException as error:
        error.hint = cause or error.hint or known_cause(error) or "ex3.hint.fit_loop_error"
        raise
    expect_inputs_left_alone("fit_mlp", result.changed, ("X", "y"))
    return result.value


# ----------------------------------------------------------------- fit_mlp, step by step

FIT_DEFAULTS = {"hidden": 16, "lr": 0.5, "epochs": 2000, "activation": "sigmoid", "seed": 0}  # fit_mlp's signature


def other_defaults(given: dict | None) -> bool:
    """Whether a def line whose literal defaults are ``given`` (``given_defaults``) gives a parameter of
    FIT_DEFAULTS another one, of another value or type (``epochs=True`` runs one epoch; ``epochs=2000.0`` makes
    ``range`` raise)."""
    return given is not None and any(
        name in given and (type(given[name]) is not type(value) or given[name] != value)
        for name, value in FIT_DEFAULTS.items()
    )


# (hint, mistake) for the classic ways a fit_mlp loop goes astray (see mlp_path)
FIT_MISTAKES = (
    ("ex3.hint.loss_after_update", "loss_after_update"),
    ("ex3.hint.update_sign", "ascent"),
    ("ex3.hint.never_updates", "never_updates"),
    ("ex3.hint.fit_return", "stale_params"),
    ("ex3.hint.step_over_n", "step_over_n"),
)


def mlp_start(d: int, hidden: int, seed: int) -> dict:
    """fit_mlp's starting parameters from ``seed``, as its given lines draw them."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 1.0, (d, hidden)) / np.sqrt(d),
        "b1": np.zeros(hidden),
        "W2": rng.normal(0.0, 1.0, (hidden, 1)) / np.sqrt(hidden),
        "b2": np.zeros(1),
    }


@remembered  # the same for every submission
def mlp_path(X, y, hidden, lr, epochs, activation, seed, mistake=None) -> tuple[dict, list]:
    """(params, losses) of full-batch gradient descent as fit_mlp's docstring describes it (torch.autograd in
    float64), or with one classic ``mistake``: "loss_after_update", "ascent" (each step up the slope),
    "never_updates", "stale_params" (the parameters before the last update returned), "step_over_n" (each step
    divided by the number of examples once more)."""
    act = torch.sigmoid if activation == "sigmoid" else torch.relu
    X_t, y_t = torch.tensor(X), torch.tensor(y).reshape(-1, 1)
    current = {k: torch.tensor(v) for k, v in mlp_start(X.shape[1], hidden, seed).items()}
    before, losses = current, []

    def loss_at(p):
        return 0.5 * ((act(X_t @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"] - y_t) ** 2).mean()

    for _epoch in range(epochs):
        leaves = {k: v.clone().requires_grad_(True) for k, v in current.items()}
        loss = loss_at(leaves)
        grads = dict(zip(KEYS, torch.autograd.grad(loss, [leaves[k] for k in KEYS]), strict=True))
        sign = -1.0 if mistake == "ascent" else 1.0 / len(X) if mistake == "step_over_n" else 1.0
        before = current
        if mistake != "never_updates":
            current = {k: torch.add(current[k], grads[k], alpha=-sign * lr) for k in KEYS}
        losses.append(float(loss_at(current) if mistake == "loss_after_update" else loss.detach()))
    final = before if mistake == "stale_params" else current
    return {k: v.numpy() for k, v in final.items()}, losses


def fit_mistakes(X, y, hidden, lr, epochs, activation, seed) -> list:
    """(hint, (params, losses)) for the classic mistakes on this run, and arguments ignored for their default."""
    found = [(hint, mlp_path(X, y, hidden, lr, epochs, activation, seed, mistake)) for hint, mistake in FIT_MISTAKES]
    run = {"hidden": hidden, "lr": lr, "epochs": epochs, "activation": activation, "seed": seed}
    for name in ("lr", "activation", "seed", "epochs"):
        if run[name] != FIT_DEFAULTS[name]:
            found.append((f"ex3.hint.ignores_{name}", mlp_path(X, y, **{**run, name: FIT_DEFAULTS[name]})))
    found.append(("ex3.hint.epochs_one_more", mlp_path(X, y, **{**run, "epochs": epochs + 1})))
    return found


# Full-batch descent in float64 on both sides: the learner's NumPy and autograd here differ only in the order of
# roundings, about 1e-16 relative per operation; the reference's losses and parameters agree with this path to
# 3.7e-13 relative at worst, 2000 epochs included (scripts/calibration/ex3_mlp_backprop.py), so 1e-10 leaves a
# 270x margin. Gradients by finite differences are off by 1e-10 or more at every step, and the path drifts further.
PATH64 = {"rtol": 1e-10, "atol": 1e-12}


def expect_fit_path(result, X, y, run: dict, expected=None, cause: str | None = None):
    """fit_mlp's (params, losses) equal full-batch gradient descent's from the same start (``expected``: the
    reference's), loss for loss and parameter for parameter; a wrong one is matched against the classic mistakes
    (``cause``: the likely cause of any failure, when the check knows it already)."""
    if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[0], dict):
        fail(text("ex3.fit_pair"), got=fmt(result), hint=cause or "ex3.hint.fit_return")
    params, losses = result
    want_params, want_losses = expected if expected is not None else mlp_path(X, y, **run)
    call = text("ex3.what.fit_mlp_run", **run)
    epochs = run["epochs"]
    if not (isinstance(losses, list) and len(losses) == epochs and all(isinstance(v, float) for v in losses)):
        fail(
            text("ex3.losses_list"),
            expected=text("detail.float_list", count=epochs),
            got=fmt(losses),
            hint=cause or "ex3.hint.losses_per_epoch",
        )
    shapes = {k: getattr(v, "shape", None) for k, v in params.items()}
    wanted = {k: v.shape for k, v in want_params.items()}
    expect_true(
        shapes == wanted,
        text("ex3.param_shapes"),
        expected=str(wanted),
        got=str(shapes),
        hint=cause or "ex3.hint.fit_return",
    )
    # the classic mistakes' paths, computed when first needed (none to look for when the cause is known)
    mistakes: list | None = [] if cause else None
    finite = np.isfinite(np.array(losses, dtype=np.float64))
    if not finite.all():  # blown up: going uphill, most often
        first = int(np.argmin(finite))
        if cause is None:
            uphill = mlp_path(X, y, **run, mistake="ascent")[1][:first]
            cause = "ex3.hint.update_sign" if within(np.array(losses[:first]), np.array(uphill), **PATH64) else None
        fail(
            text("ex3.losses_not_finite", epoch=first + 1),
            got=text("ex3.detail.first_last", first=f"{losses[0]:.4g}", last=f"{losses[-1]:.4g}"),
            hint=cause or "ex3.hint.update_rule",
        )
    if epochs and not within(np.array(losses), np.array(want_losses), **PATH64):
        mistakes = fit_mistakes(X, y, **run) if mistakes is None else mistakes
        expect_array(
            np.array(losses),
            np.array(want_losses),
            what=text("ex3.what.fit_mlp_losses", call=call),
            dtype=None,
            mistakes=[(hint, np.array(v[1])) for hint, v in mistakes if len(v[1]) == epochs],
            default_hint=cause or "ex3.hint.update_rule",
            **PATH64,
        )
    for key in KEYS:
        if not within(params[key], want_params[key], **PATH64):
            mistakes = fit_mistakes(X, y, **run) if mistakes is None else mistakes
            expect_array(
                params[key],
                want_params[key],
                what=text("ex3.what.fit_mlp_param", key=key, call=call),
                mistakes=[(hint, v[0][key]) for hint, v in mistakes],
                default_hint=cause or "ex3.hint.fit_return",
                **PATH64,
            )

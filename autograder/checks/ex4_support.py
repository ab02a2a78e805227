"""What exercise 4's public and hidden checks share (not a check module itself): the tolerances, the hints for
PyTorch's errors, and the comparisons of the learner's answers with the grader's own runs (``ex4_runs``: torch on
the grader's side, from the same seeds and starting weights), each wrong answer tried against the classic
mistakes' runs. Nothing here uses the reference solution.
"""

from __future__ import annotations

import ast
import re
from typing import TypedDict

import numpy as np
import torch

from autograder.checking import (
    RemoteTensor,
    StudentException,
    expect_array,
    expect_tensor,
    expect_tensor_form,
    fail,
    fmt,
    fmt_values,
    function_source,
    matching_hint,
    parse_source,
    probe_left_alone,
    specialised,
    text,
    within,
)
from autograder.checks.ex4_runs import (
    CONCISE_MISTAKES,
    TINY_MISTAKES,
    concise_reference,
    least_squares,
    tiny_data,
    tiny_forward,
    tiny_reference,
    tiny_start,
)
from autograder.checks.synthetic import make_regression

EXERCISE = "ex4_autograd_nn"


class Tolerance(TypedDict):
    rtol: float
    atol: float


FLOAT64: Tolerance = {"rtol": 1e-10, "atol": 1e-12}  # the same operations in float64: only rounding differs
FLOAT32: Tolerance = {"rtol": 1e-5, "atol": 1e-6}  # one float32 forward pass, a few roundings apart
# A float32 training run of 20 full-batch steps from the same weights: same operations in the same
# order give the same bits; a different but equivalent order (F.relu vs nn.ReLU, y_hat - y vs
# y - y_hat) stays within 1e-6 relative (scripts/calibrate.py), so 1e-4 leaves a 100x margin.
RUN32: Tolerance = {"rtol": 1e-4, "atol": 1e-6}
# train_concise's defaults (the exercise's signature): what a run that ignores its lr or batch_size uses.
DEFAULT_LR, DEFAULT_BATCH_SIZE = 0.03, 10
# The public train_concise run: lr=0.1, 3 epochs, batch 10 on 300 examples (90 steps); the reference ends
# within 3.5e-3 of the truth on every calibration seed (scripts/calibration/ex4_autograd_nn.py reads it
# from here), and 0.02 leaves a wide margin. test_train_concise_converges and test_train_concise_losses
# read the same run (a shared call: the same arguments).
PUBLIC_RUN = {"n": 300, "seed": 44, "tol": 0.02, "lr": 0.1, "num_epochs": 3, "batch_size": 10}
LINEAR = "torch.nn.modules.linear.Linear"
OTHER_OPTIMISER = re.compile(r"optim\.(?!SGD\b)[A-Z]\w*|\b(?:Adam\w*|RMSprop|Adagrad|momentum|nesterov|weight_decay)\b")
TINY_KEYS = ("hidden.weight", "hidden.bias", "output.weight", "output.bias")

# What PyTorch says when a classic autograd rule is broken: the errors of the table of known errors
# (checking.known_errors) in this exercise's words, then the ones that only its code meets (any type; a piece of the
# message; of the traceback; the hint).
TORCH_ERRORS = (
    *specialised(
        {
            "hint.inplace_leaf": "ex4.hint.no_grad_update",
            "hint.backward_twice": "ex4.hint.recompute",
            "hint.backward_scalar": "ex4.hint.backward_scalar",
            "hint.no_grad_fn": "ex4.hint.requires_grad",
            "hint.matmul_shapes": "ex4.hint.linear_shapes",
        },
        kind="RuntimeError",  # (torch's; NumPy's matmul error keeps its general hint)
    ),
    (None, "and 'NoneType'", "", "ex4.hint.grad_none"),  # lr * x.grad where .grad is None (a non-leaf, or no backward)
    (None, "'NoneType' and", "", "ex4.hint.grad_none"),
    (None, "'NoneType' object has no attribute 'zero_'", "", "ex4.hint.grad_none"),
    (None, "optimizer got an empty parameter list", "", "ex4.hint.parameters"),
    # a DataLoader over the tuple (features, labels): its two "examples" are the two whole tensors, stacked
    (None, "stack expects each tensor to be equal size", "", "ex4.hint.dataloader_over_tuple"),
)
# The same errors, where the function that raised them tells more about the cause.
FUNCTION_ERRORS = {"grad_at": specialised({"hint.no_grad_fn": "ex4.hint.grad_at_requires_grad"}, kind="RuntimeError")}


def explained(call, *args, **kwargs):
    """Run ``call``; when the learner's code raises one of PyTorch's classic errors, attach the hint for it."""
    try:
        return call(*args, **kwargs)
    except StudentException as error:
        hint = matching_hint(
            (*FUNCTION_ERRORS.get(error.function, ()), *TORCH_ERRORS),
            str(error.detail.get("type", "")),
            str(error.detail.get("message", "")),
        )
        if hint:
            error.hint = hint
        raise


# ----------------------------------------------------------------- grad_at and descend


def expect_point(got, expected: np.ndarray, what: str, mistakes=(), default_hint: str = "ex4.hint.grad_values"):
    """A float64 tensor of ``expected``'s shape, close to it (known mistakes named)."""
    return expect_tensor(
        got, expected, what=what, dtype="torch.float64", mistakes=mistakes, **FLOAT64, default_hint=default_hint
    )


# ----------------------------------------------------------------- data and linear models


def linear_state(answer, d: int, call: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate what train_concise returned: a model whose state is a weight (1, d) and a bias (1,), as float64.
    (The type name its process reports, nn.Linear or not, only chooses the hint: the values decide.)"""
    if not isinstance(answer, dict) or "returned" in answer:
        got = answer.get("returned") if isinstance(answer, dict) else answer
        fail(text("ex4.train_pair"), got=fmt(got), hint="ex4.hint.train_return")
    if not isinstance(answer.get("state"), dict):
        fail(
            text("ex4.not_linear", got=answer.get("type")),
            expected=LINEAR,
            got=answer.get("type"),
            hint="ex4.hint.use_linear",
        )
    state = answer["state"]
    if "weight" not in state or "bias" not in state:  # (an nn.Sequential's are "0.weight", "0.bias")
        fail(
            text("ex4.not_linear", got=answer.get("type")),
            expected=LINEAR,
            got=answer.get("type"),
            hint="ex4.hint.use_linear",
        )
    weight = expect_tensor_form(state.get("weight"), (1, d), what=text("ex4.what_param", name="weight", call=call))
    bias = expect_tensor_form(state.get("bias"), (1,), what=text("ex4.what_param", name="bias", call=call))
    return weight.values.astype(np.float64), bias.values.astype(np.float64)


def diagnose_concise(weight: np.ndarray, bias: np.ndarray, true_w, true_b) -> str:
    """The likely cause when train_concise ends far from the true line, from where it ended.

    Accumulated gradients (no zero_grad) make the steps grow until the parameters swing far past
    the line (more than 1 off); no step at all leaves them near their start (|p| < 0.05,
    drawn from N(0, 0.01**2) and 0); anything else is a subtler slip in the loop.
    """
    values = np.concatenate([weight.ravel(), bias.ravel()])
    truth = np.concatenate([np.asarray(true_w, dtype=np.float64), [true_b]])
    if not np.all(np.isfinite(values)) or np.max(np.abs(values - truth)) > 1.0:
        return "ex4.hint.diverged"
    if np.max(np.abs(values)) < 0.05:
        return "ex4.hint.no_step"
    return "ex4.hint.train_concise"


def run_concise(student, features, labels, lr, num_epochs, batch_size, seed, defaults=False):
    """The learner's train_concise from ``seed``, with a known-good load_array (so a broken one is not blamed here);
    ``defaults``: the hyperparameters left out of the call. The reference run from the same seed, which the
    checks compare it with, is computed meanwhile (``ahead``)."""
    concise_reference.ahead(features, labels, lr, num_epochs, batch_size, seed)
    return explained(
        probe_left_alone,
        student.session,
        EXERCISE,
        "train_concise_state",
        features,
        labels,
        lr,
        num_epochs,
        batch_size,
        seed,
        defaults,
        function="train_concise",
        names=("features", "labels"),
        shared=True,
    )  # the checks on the same data: one run


def _flat(weight_and_bias) -> np.ndarray:
    return np.concatenate([part.ravel() for part in weight_and_bias[:2]])


def ignored_arguments(features, labels, lr, num_epochs, batch_size, seed) -> list:
    """(hint, weights) of the runs that ignore ``lr`` or ``batch_size`` for the default, from the same seed
    (only for an argument that differs from its default: otherwise that run is the right one)."""
    variants = []
    if lr != DEFAULT_LR:
        variants.append(
            (
                "ex4.hint.lr_ignored",
                _flat(concise_reference(features, labels, DEFAULT_LR, num_epochs, batch_size, seed)),
            )
        )
    if batch_size != DEFAULT_BATCH_SIZE:
        variants.append(
            (
                "ex4.hint.batch_size_ignored",
                _flat(concise_reference(features, labels, lr, num_epochs, DEFAULT_BATCH_SIZE, seed)),
            )
        )
    return variants


def concise_mistakes(student, features, labels, lr, num_epochs, batch_size, seed) -> list:
    """(hint, weights) of the classic slips of a training loop, run from the same seed: gradients never cleared,
    no step reaching the weights (which of the ways, read from the learner's source), the loss's sum."""
    found = []
    for mistake in CONCISE_MISTAKES:
        hint = {"no_zero_grad": "ex4.hint.concise_no_zero_grad", "sum_loss": "ex4.hint.sum_loss"}.get(mistake)
        if mistake == "never_moves":
            hint = never_moved_hint(function_source(student.session, EXERCISE, "train_concise"))
        found.append((hint, _flat(concise_reference(features, labels, lr, num_epochs, batch_size, seed, mistake))))
    return found


def never_moved_hint(source: str) -> str:
    """Why the weights never moved, once the values have shown that they did not: read from the learner's
    ``source`` (with :mod:`ast`, never run), which of the ways the loop is written. zero_grad() between backward()
    and step() (it wipes the gradient the step needs), step() before backward() (no gradient yet), or an
    optimizer made from other parameters than ``net.parameters()``; otherwise the general advice."""
    tree = parse_source(source)
    if tree is None:
        return "ex4.hint.never_moved"
    calls = sorted(
        (node.lineno, node.col_offset, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("zero_grad", "backward", "step")
    )
    order = [name for _, _, name in calls]
    for index, name in enumerate(order):
        following = [n for n in order[index + 1 :] if n in ("zero_grad", "step")]
        if name == "backward" and following and following[0] == "zero_grad":
            return "ex4.hint.never_moved_zero_between"
    if "step" in order and "backward" in order and order.index("step") < order.index("backward"):
        return "ex4.hint.never_moved_step_first"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        called = (
            function.attr
            if isinstance(function, ast.Attribute)
            else function.id
            if isinstance(function, ast.Name)
            else None
        )
        if called in ("SGD", "Adam") and node.args:
            given = node.args[0]
            of_net = (
                isinstance(given, ast.Call)
                and isinstance(given.func, ast.Attribute)
                and given.func.attr == "parameters"
                and isinstance(given.func.value, ast.Name)
                and given.func.value.id == "net"
            )
            if not of_net:
                return "ex4.hint.never_moved_other_params"
    return "ex4.hint.never_moved"


def check_concise_follows(student, true_w, true_b, n, seed, lr, num_epochs, batch_size, defaults=False):
    """The weights after training equal a reference run from the same seed with these hyperparameters
    (``defaults``: the learner's train_concise called without them, so these must be the docstring's defaults)."""
    features, labels = make_regression(true_w, true_b, n, seed)
    answer = run_concise(student, features, labels, lr, num_epochs, batch_size, seed, defaults)
    weight, bias = linear_state(answer, len(true_w), "train_concise")
    got = np.concatenate([weight.ravel(), bias])
    expected = _flat(concise_reference(features, labels, lr, num_epochs, batch_size, seed))

    def mistakes():  # (only for a wrong answer: they are training runs)
        return (
            ignored_arguments(features, labels, lr, num_epochs, batch_size, seed)
            + [("ex4.hint.closed_form", least_squares(features, labels))]
            + concise_mistakes(student, features, labels, lr, num_epochs, batch_size, seed)
        )

    what = (
        text("ex4.what_concise_defaults")
        if defaults
        else text("ex4.what_concise_run", lr=lr, batch_size=batch_size, epochs=num_epochs)
    )
    # another optimizer, or SGD with more than a learning rate: read from the learner's source, for the hint only
    other = OTHER_OPTIMISER.search(function_source(student.session, EXERCISE, "train_concise"))
    expect_array(
        got,
        expected,
        what=what,
        dtype=None,
        mistakes=mistakes,
        **RUN32,
        default_hint="ex4.hint.other_optimiser" if other else "ex4.hint.train_concise",
    )
    return features, labels, answer.get("losses")


def check_concise_losses(losses, features, labels, lr, num_epochs, batch_size, seed):
    """train_concise's losses equal the loss over all the data after each epoch of the reference run."""
    if not isinstance(losses, list) or len(losses) != num_epochs or not all(isinstance(v, float) for v in losses):
        fail(text("ex4.losses_list", epochs=num_epochs), got=fmt(losses), hint="ex4.hint.losses_floats")
    expected = np.array(concise_reference(features, labels, lr, num_epochs, batch_size, seed)[2])
    expect_array(
        np.array(losses),
        expected,
        what=text("ex4.what_concise_losses", epochs=num_epochs),
        dtype=None,
        mistakes=[("ex4.hint.loss_half", expected / 2), ("ex4.hint.loss_sum", expected * len(features))],
        default_hint="ex4.hint.loss_all_data",
        **RUN32,
    )


def check_concise_converges(student, true_w, true_b, n, seed, tol, **hyper):
    features, labels = make_regression(true_w, true_b, n, seed)
    args = (hyper.get("lr", DEFAULT_LR), hyper.get("num_epochs", 3), hyper.get("batch_size", DEFAULT_BATCH_SIZE))
    answer = run_concise(student, features, labels, *args, seed)
    call = "train_concise"
    weight, bias = linear_state(answer, len(true_w), call)
    close = (
        np.all(np.isfinite(weight))
        and np.all(np.isfinite(bias))
        and np.max(np.abs(weight.ravel() - np.asarray(true_w))) <= tol
        and abs(float(bias[0]) - true_b) <= tol
    )
    if not close:
        # A run that used the default lr (or batch size) instead of the one given is recognised by its
        # weights, as in check_concise_follows: a short run at another lr may not get there with the default.
        got = np.concatenate([weight.ravel(), bias])
        known = [
            hint
            for hint, variant in ignored_arguments(features, labels, *args, seed)
            + concise_mistakes(student, features, labels, *args, seed)
            if within(got, variant, **RUN32)
        ]
        fail(
            text("ex4.not_converged", epochs=args[1], tol=tol),
            expected=f"w = {[float(v) for v in true_w]}, b = {float(true_b)}",
            got=f"w = {fmt_values(weight.ravel())}, b = {fmt_values(bias)}",
            **({"hint": known[0]} if known else {"advice": diagnose_concise(weight, bias, true_w, true_b)}),
        )
    if not within(
        np.concatenate([weight.ravel(), bias]), _flat(concise_reference(features, labels, *args, seed)), **RUN32
    ):  # it may get near the line, but not by the steps of SGD from the same seed
        check_concise_follows(student, true_w, true_b, n, seed, *args)
    return features, labels, weight, bias, answer.get("losses")


# ----------------------------------------------------------------- the tiny network


def expect_tiny_shapes(answer, n_in: int, n_hidden: int):
    """The learner's TinyNet is an nn.Module with layers named hidden and output, of the right sizes."""
    if not isinstance(answer, dict) or "shapes" not in answer:
        got = answer.get("type") if isinstance(answer, dict) else fmt(answer)
        fail(text("ex4.not_module", got=got), hint="ex4.hint.subclass_module")
    wanted = {
        "hidden.weight": [n_hidden, n_in],
        "hidden.bias": [n_hidden],
        "output.weight": [1, n_hidden],
        "output.bias": [1],
    }
    shapes = answer["shapes"]
    if shapes != wanted:
        describe = "; ".join(f"{k} {tuple(v)}" for k, v in wanted.items())
        got = "; ".join(f"{k} {tuple(v) if isinstance(v, list) else v}" for k, v in sorted(shapes.items())) or "-"
        hint = "ex4.hint.layer_names" if set(shapes) != set(wanted) else "ex4.hint.layer_sizes"
        fail(text("ex4.tiny_layers", n_in=n_in, n_hidden=n_hidden), expected=describe, got=got, hint=hint)


TINY_DEFAULTS = {"n_in": 4, "n_hidden": 8, "lr": 0.01, "epochs": 100}  # TinyNet's and fit_tiny's signatures


def check_tiny_forward(student, n_in: int, n_hidden: int, n: int, seed: int, defaults: bool = False):
    """The learner's TinyNet(n_in, n_hidden) (``defaults``: TinyNet(), which must be that of n_in=4, n_hidden=8)
    with the grader's weights loaded, forward on X, against the same network run here."""
    state = tiny_start(n_in, n_hidden, seed)
    X, _ = tiny_data(n, n_in, seed + 1)
    answer = explained(
        probe_left_alone,
        student.session,
        EXERCISE,
        "tiny_forward",
        None if defaults else n_in,
        None if defaults else n_hidden,
        state,
        X,
        function="TinyNet",
        names=("n_in", "n_hidden", "state", "X"),
    )
    expect_tiny_shapes(answer, n_in, n_hidden)
    expected = tiny_forward(state, X).numpy()
    mistakes = [
        ("ex4.hint.missing_relu", tiny_forward(state, X, activation=lambda z: z).numpy()),
        ("ex4.hint.relu_on_output", torch.relu(tiny_forward(state, X)).numpy()),
        ("ex4.hint.wrong_activation", tiny_forward(state, X, activation=torch.sigmoid).numpy()),
    ]
    expect_tensor(
        answer.get("out"),
        expected,
        what=text("ex4.what_forward", n_in=n_in, n_hidden=n_hidden),
        mistakes=mistakes,
        shape_hints={(n,): "ex4.hint.output_column"},
        default_hint="ex4.hint.forward",
        **FLOAT32,
    )


def check_tiny_fit(
    student, n_in: int, n_hidden: int, n: int, seed: int, lr: float, epochs: int, defaults: bool = False
):
    """The learner's fit_tiny on a known-good network from the grader's weights, against the same run here
    (``defaults``: lr and epochs left out of the call, so they must be the docstring's 0.01 and 100)."""
    state = tiny_start(n_in, n_hidden, seed)
    X, y = tiny_data(n, n_in, seed + 1)
    tiny_reference.ahead(state, X, y, lr, epochs)  # computed while the learner's run
    answer = explained(
        probe_left_alone,
        student.session,
        EXERCISE,
        "tiny_fit",
        n_in,
        n_hidden,
        state,
        X,
        y,
        None if defaults else lr,
        epochs,
        function="fit_tiny",
        names=("n_in", "n_hidden", "state", "X", "y"),
    )
    losses = answer.get("losses") if isinstance(answer, dict) else None
    if not isinstance(losses, list) or len(losses) != epochs:
        fail(text("ex4.fit_losses", epochs=epochs), got=fmt(losses), hint="ex4.hint.fit_losses")
    if not all(isinstance(v, float) for v in losses):
        fail(text("ex4.losses_floats"), got=fmt(losses[:3]), hint="hint.use_float")
    got = np.array(losses)
    expected, final = tiny_reference(state, X, y, lr, epochs)

    def variants():  # (only for a wrong answer: they are training runs)
        hints = {
            "never_moves": never_moved_hint(function_source(student.session, EXERCISE, "fit_tiny")),
            "sum_loss": "ex4.hint.sum_loss",
        }
        return [
            (hints.get(m, f"ex4.hint.fit_{m}"), tiny_reference(state, X, y, lr, epochs, m)[0]) for m in TINY_MISTAKES
        ]

    expect_array(
        got,
        expected,
        what=text("ex4.what_fit_losses", epochs=epochs),
        dtype=None,
        mistakes=variants,
        default_hint="ex4.hint.fit_loop",
        **RUN32,
    )
    state_after = answer.get("state")
    weights = state_after if isinstance(state_after, dict) else {}
    for name in TINY_KEYS:
        value = weights.get(name)
        if not isinstance(value, RemoteTensor):
            fail(text("ex4.fit_weights"), got=fmt(value), hint="ex4.hint.fit_in_place")
        expect_tensor(
            value,
            final[name],
            what=text("ex4.what_fit_weight", name=name),
            default_hint="ex4.hint.fit_loop",
            mistakes=[("ex4.hint.fit_in_place", state[name].numpy())],
            **RUN32,
        )

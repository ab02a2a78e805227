"""Public checks for exercise 4: autograd's rules, and linear regression the concise way with torch.nn.

Expected values come from torch on the grader's side (see ``ex4_support``),
never from the reference solution. Tolerances are stated in ``ex4_support``;
scripts/calibrate.py shows the reference passes them on many seeds.
"""

import numpy as np
import torch

from autograder.checking import (
    REGULAR,
    FunctionRef,
    RemoteTensor,
    check,
    expect_true,
    fail,
    fmt,
    function_source,
    neighbours,
    probe_left_alone,
    text,
)
from autograder.checks.ex4_runs import autograd_grad, dataloader_orders, descent
from autograder.checks.ex4_support import (
    EXERCISE,
    PUBLIC_RUN,
    check_concise_converges,
    check_concise_follows,
    check_concise_losses,
    check_tiny_fit,
    check_tiny_forward,
    expect_point,
    explained,
)

TRUE_W, TRUE_B = [2.0, -3.4], 4.2
DATALOADER = "torch.utils.data.dataloader.DataLoader"
TENSOR_DATASET = "torch.utils.data.dataset.TensorDataset"


def _point(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


@check(points=2, function="grad_at")
def test_grad_at_values(student):
    """grad_at: matches torch.autograd (x**2 + 3x + 1 at 2 gives 7, and other functions)"""
    rng = np.random.default_rng(41)
    cases = [
        ("poly", np.array([2.0])),
        ("poly", rng.normal(size=4)),
        ("double_dot", rng.normal(size=5)),
        ("plain_sum", rng.normal(size=(2, 3))),
        ("wiggle", rng.normal(size=(3, 4))),
    ]
    for name, x in cases:
        got = explained(student.ex4.grad_at, FunctionRef(name), _point(x))
        expect_point(got, autograd_grad(name, x), what=text("ex4.what_grad", name=name, shape=x.shape))


@check(points=2, function="grad_at")
def test_grad_at_leaves_x_alone(student):
    """grad_at: twice on the same x gives the same gradient twice, also when x is part of a graph"""
    x = np.array([2.0, -1.0, 0.5])
    expected = autograd_grad("poly", x)
    answer = explained(
        probe_left_alone,
        student.session,
        EXERCISE,
        "grad_twice",
        "poly",
        _point(x),
        function="grad_at",
        names=("f", "x"),
    )
    if not isinstance(answer, dict):
        fail(text("ex4.what_grad_call", call=1), got=fmt(answer), hint="hint.return_value")
    # what the calls left on x chooses the hint, never the points (the learner's process could say anything)
    touched = answer.get("x_requires_grad") is not False or answer.get("x_has_grad") is not False
    expect_point(answer.get("first"), expected, what=text("ex4.what_grad_call", call=1))
    expect_point(
        answer.get("second"),
        expected,
        what=text("ex4.what_grad_call", call=2),
        mistakes=[("ex4.hint.grad_accumulates", 2 * expected)],
        default_hint="ex4.hint.copy_x",
    )
    # x computed from another tensor (base * 1, as a network's activations are): only a gradient taken on a copy
    # of x comes back (a non-leaf keeps no .grad), and a later backward pass through the same graph finds
    # nothing of grad_at's own work in it (base's gradient is then just the weights)
    weights = np.array([0.5, -1.5, 2.0])
    answer = explained(
        probe_left_alone,
        student.session,
        EXERCISE,
        "grad_in_graph",
        "poly",
        _point(x),
        _point(weights),
        function="grad_at",
        names=("f", "x"),
    )
    if not isinstance(answer, dict):
        fail(text("ex4.what_grad_graph"), got=fmt(answer), hint="ex4.hint.copy_x")
    if answer.get("answer") is None:  # the .grad of x itself, which a tensor computed from another one does not keep
        fail(text("ex4.grad_of_x_none"), hint="ex4.hint.copy_x")
    expect_point(
        answer.get("answer"),
        expected,
        what=text("ex4.what_grad_graph"),
        default_hint="ex4.hint.copy_x" if touched else "ex4.hint.grad_values",
    )
    expect_point(
        answer.get("base_grad"),
        weights,
        what=text("ex4.what_grad_leak"),
        mistakes=[("ex4.hint.copy_x", weights + expected)],
        default_hint="ex4.hint.copy_x",
    )


def _descend(student, name, x0, lr, steps, zero_grad=None):
    """descend in the sandbox (``zero_grad`` None: the argument left out); x0 must come back unchanged."""
    flag = {} if zero_grad is None else {"zero_grad": zero_grad}
    result = explained(
        student.session.call, EXERCISE, "descend", FunctionRef(name), _point(x0), lr, steps, return_args=True, **flag
    )
    after = result.args[1]
    if isinstance(after, RemoteTensor) and not np.array_equal(after.values, x0):
        fail(text("ex4.x0_changed"), expected=fmt(x0), got=fmt(after.values), hint="ex4.hint.copy_x0")
    return result.value


@check(points=3, function="descend")
def test_descend_steps(student):
    """descend: each step moves against the gradient at the current point (zero_grad=True, the default)"""
    x0 = np.array([0.0, 0.0, 0.0])
    for steps, lr, flag in ((1, 0.1, True), (20, 0.1, True), (12, 0.15, None)):
        expected = descent("bowl", x0, lr, steps, zero_grad=True)
        got = _descend(student, "bowl", x0, lr, steps, zero_grad=flag)
        mistakes = [
            ("ex4.hint.zero_grad_missing", descent("bowl", x0, lr, steps, zero_grad=False)),
            ("ex4.hint.descend_sign", descent("bowl", x0, -lr, steps, zero_grad=True)),
        ]
        if lr != 0.1:
            mistakes.append(("ex4.hint.descend_lr", descent("bowl", x0, 0.1, steps, zero_grad=True)))
        expect_point(
            got,
            expected,
            what=text("ex4.what_descend", steps=steps, flag=flag if flag else text("ex4.flag_left_out")),
            mistakes=mistakes,
            default_hint="ex4.hint.descend",
        )
    got = _descend(student, "bowl", x0 + 1.0, 0.1, 0, zero_grad=True)
    expect_point(got, x0 + 1.0, what=text("ex4.what_descend", steps=0, flag=True), default_hint="ex4.hint.zero_steps")


@check(points=2, function="descend")
def test_descend_accumulates(student):
    """descend: with zero_grad=False, .grad keeps the sum of every gradient so far"""
    x0 = np.array([0.5, -0.5])
    for name, steps in (("bowl", 2), ("double_dot", 6)):  # (and another function than the other checks' bowl)
        expected = descent(name, x0, 0.05, steps, zero_grad=False)
        got = _descend(student, name, x0, 0.05, steps, zero_grad=False)
        expect_point(
            got,
            expected,
            what=text("ex4.what_descend", steps=steps, flag=False),
            mistakes=[("ex4.hint.ignores_flag", descent(name, x0, 0.05, steps, zero_grad=True))],
            default_hint="ex4.hint.descend",
        )


def _loader(student, n, batch_size, shuffle, passes, seed=0):
    """The batches of ``passes`` passes over the learner's load_array, from ``seed`` (``shuffle`` None: left out),
    as orders of example numbers; each batch must pair every example with its own label."""
    features = torch.arange(2 * n, dtype=torch.float32).reshape(n, 2)
    labels = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    answer = explained(
        probe_left_alone,
        student.session,
        EXERCISE,
        "loader_passes",
        features,
        labels,
        batch_size,
        shuffle,
        passes,
        seed,
        function="load_array",
        names=("features", "labels"),
    )
    # the type names the learner's process reports choose a hint, never the points: the batches decide
    claims = answer if isinstance(answer, dict) else {}
    kind_hint = (
        "ex4.hint.use_dataloader"
        if claims.get("type") != DATALOADER
        else "ex4.hint.tensor_dataset"
        if claims.get("dataset") != TENSOR_DATASET
        else "ex4.hint.own_generator"
        if "generator" in function_source(student.session, EXERCISE, "load_array")
        else None
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("passes"), list) or len(answer["passes"]) != passes:
        got = claims.get("type") or fmt(answer)
        fail(text("ex4.not_dataloader", got=got), expected=DATALOADER, got=got, hint="ex4.hint.use_dataloader")
    orders = []
    for batches in answer["passes"]:
        order, sizes = [], []
        for batch in batches if isinstance(batches, list) else [batches]:
            if not (isinstance(batch, tuple) and len(batch) == 2 and all(isinstance(v, RemoteTensor) for v in batch)):
                fail(text("ex4.batch_pair"), got=fmt(batch), hint=kind_hint or "ex4.hint.tensor_dataset")
            X, y = batch
            k = X.shape[0] if X.values.ndim == 2 else -1
            if X.shape != (k, 2) or y.shape != (k, 1):
                swapped = X.values.ndim == 2 and X.shape[1:] == (1,) and y.shape[1:] == (2,)  # (labels, features)
                fail(
                    text("ex4.batch_shapes"),
                    expected="(k, 2), (k, 1)",
                    got=f"{X.shape}, {y.shape}",
                    hint="ex4.hint.swapped_dataset" if swapped else kind_hint or "ex4.hint.tensor_dataset",
                )
            rows = X.values[:, 0].astype(np.int64) // 2
            if not np.array_equal(rows, y.values[:, 0].astype(np.int64)):
                fail(text("ex4.unpaired"), hint="ex4.hint.tensor_dataset")
            order.extend(int(r) for r in rows)
            sizes.append(k)
        wanted = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        if sorted(order) != list(range(n)) or sizes != wanted:
            missing = len(set(range(n)) - set(order))
            fail(
                text("ex4.coverage", missing=missing, repeated=len(order) - len(set(order))),
                expected=text("ex4.sizes", sizes=wanted),
                got=text("ex4.sizes", sizes=sizes),
                hint="ex4.hint.drop_last" if missing and len(sizes) == len(wanted) - 1 else "ex4.hint.batches",
            )
        orders.append(order)
    return orders, kind_hint


def _show(order) -> str:
    return ", ".join(str(i) for i in order[:8]) + ", ..."


@check(points=3, function="load_array")
def test_load_array_batches(student):
    """load_array: a DataLoader that yields every example once per pass, in order when shuffle=False"""
    for n, batch_size in ((23, 5), (12, 4)):
        (order,), kind_hint = _loader(student, n, batch_size, False, 1)
        expect_true(
            order == list(range(n)),
            text("ex4.order_changed"),
            expected="0, 1, 2, ...",
            got=_show(order),
            hint="ex4.hint.shuffle_flag",
        )


@check(points=2, function="load_array")
def test_load_array_shuffles(student):
    """load_array: shuffle=True (the default) gives a new random order on every pass, as a DataLoader draws it"""
    for shuffle, seed in ((True, 5), (None, 6)):  # None: the argument left out
        orders, kind_hint = _loader(student, 40, 8, shuffle, 2, seed)
        first, second = orders
        flag_hint = "ex4.hint.shuffle_default" if shuffle is None else "ex4.hint.shuffle_flag"
        expect_true(first != list(range(40)), text("ex4.not_shuffled"), got=_show(first), hint=flag_hint)
        expect_true(first != second, text("ex4.same_order"), hint=flag_hint)
        for order in (first, second):  # reversed, rotated, or one of a few fixed orders: made by a rule
            count = neighbours(order)
            expect_true(
                count < REGULAR, text("ex4.order_regular", count=count, n=len(order)), got=_show(order), hint=flag_hint
            )
        # the very orders a DataLoader's own sampler draws from this seed: a loader of the learner's making
        # (or its own shuffling) draws others
        expected = dataloader_orders(40, 8, 2, seed)
        for index, (got, want) in enumerate(zip(orders, expected, strict=True)):
            expect_true(
                got == want,
                text("ex4.not_dataloader_order", index=index + 1),
                expected=_show(want),
                got=_show(got),
                hint=kind_hint or "ex4.hint.use_dataloader",
            )


@check(points=3, function="train_concise")
def test_train_concise_converges(student):
    """train_concise: nn.Linear recovers w = [2, -3.4] and b = 4.2"""
    check_concise_converges(student, TRUE_W, TRUE_B, **PUBLIC_RUN)


@check(points=2, function="train_concise")
def test_train_concise_losses(student):
    """train_concise: losses holds nn.MSELoss over all the data after each epoch"""
    # the run of test_train_concise_converges (the same data and call: it runs once, see Session.call's shared)
    features, labels, weight, bias, losses = check_concise_converges(student, TRUE_W, TRUE_B, **PUBLIC_RUN)
    hyper = {key: PUBLIC_RUN[key] for key in ("lr", "num_epochs", "batch_size")}
    check_concise_losses(losses, features, labels, **hyper, seed=PUBLIC_RUN["seed"])


@check(points=2, function="train_concise")
def test_train_concise_follows_its_arguments(student):
    """train_concise: uses lr and batch_size (the same weights as a reference run from the same seed)"""
    check_concise_follows(student, TRUE_W, TRUE_B, n=150, seed=48, lr=0.05, num_epochs=2, batch_size=16)
    # and, with none of them given, the docstring's defaults (lr=0.03, 3 epochs, batches of 10)
    check_concise_follows(student, TRUE_W, TRUE_B, n=60, seed=49, lr=0.03, num_epochs=3, batch_size=10, defaults=True)


@check(points=2, function="TinyNet")
def test_tinynet_forward(student):
    """TinyNet: layers hidden and output, hidden -> ReLU -> output, predictions of shape (n, 1)"""
    check_tiny_forward(student, n_in=4, n_hidden=8, n=10, seed=46)
    check_tiny_forward(student, n_in=4, n_hidden=8, n=5, seed=50, defaults=True)  # TinyNet(): 4 inputs, 8 units
    check_tiny_forward(student, n_in=2, n_hidden=3, n=6, seed=52)  # (and other sizes: nothing hard-coded)


@check(points=4, function="fit_tiny")
def test_fit_tiny_matches_a_reference_run(student):
    """fit_tiny: the same losses and weights as zero_grad(); backward(); step() from the same start"""
    check_tiny_fit(student, n_in=4, n_hidden=8, n=10, seed=47, lr=0.03, epochs=20)
    check_tiny_fit(student, n_in=3, n_hidden=4, n=6, seed=51, lr=0.01, epochs=100, defaults=True)  # lr, epochs left out

"""What exercise 1's public and hidden checks share: fit_line's path, step by step (not a check module itself).

The grader runs the algorithm of ``fit_line``'s docstring itself (in float64),
from the same ``seed``, so a learner's
``fit_line`` is compared step for step, not only by where it ends: a closed
form, a global random generator, the same order every epoch or a full-batch
gradient all end somewhere else. Each of those mistakes is run too, so that the
message can say which one the answer looks like.
"""

from __future__ import annotations

import ast
import re

import numpy as np

from autograder.checking import clip, expect_float, fail, remembered, text, within

EXERCISE = "ex1_manual_gradients"
EXACT = {"rtol": 1e-9, "atol": 1e-12}  # float64 on both sides: only the order of the roundings differs
GLOBAL_RNG = re.compile(r"np\.random\.(?!default_rng)|numpy\.random\.(?!default_rng)|\brandom\.shuffle")
DEFAULTS = {"lr": 0.1, "epochs": 200, "batch_size": 10, "seed": 0}  # fit_line's signature (the docstring's)

# a mistake of the path -> the hint that names it (see descent_path)
PATH_MISTAKES = {
    "no_shuffle": "ex1.hint.no_shuffle",
    "same_order": "ex1.hint.same_order_each_epoch",
    "global_rng": "ex1.hint.global_rng",
    "global_rng_each_epoch": "ex1.hint.global_rng",
    "global_shuffled_in_place": "ex1.hint.global_rng",
    "full_batch": "ex1.hint.full_batch",
    "shuffled_in_place": "ex1.hint.shuffle_not_permutation",
    "b_moved_by_dw": "ex1.hint.b_moved_by_dw",
    "batch_one_short": "ex1.hint.batch_one_short",
    "last_batch_skipped": "ex1.hint.last_batch_skipped",
    "step_over_batch": "ex1.hint.step_over_batch",
}


def _orders(n: int, seed: int, epochs: int, mistake: str | None):
    """The order of the samples in each epoch: ``rng.permutation(n)`` of one generator made from ``seed``."""
    rng, legacy = np.random.default_rng(seed), np.random.RandomState(seed)
    kept = np.arange(n)
    for _epoch in range(epochs):
        if mistake == "shuffled_in_place":  # rng.shuffle of one index array, every epoch
            rng.shuffle(kept)
            yield kept.copy()
        elif mistake == "no_shuffle":
            yield np.arange(n)
        elif mistake == "same_order":  # the generator made again inside the epoch loop
            yield np.random.default_rng(seed).permutation(n)
        elif mistake == "global_rng":  # np.random.seed(seed) once, then np.random.permutation(n)
            yield legacy.permutation(n)
        elif mistake == "global_rng_each_epoch":  # np.random.seed(seed) at the start of every epoch
            yield np.random.RandomState(seed).permutation(n)
        elif mistake == "global_shuffled_in_place":  # np.random.seed(seed) once, then np.random.shuffle(order)
            legacy.shuffle(kept)
            yield kept.copy()
        else:
            yield rng.permutation(n)


@remembered  # the same for every submission
def descent_path(x, y, lr, epochs, batch_size, seed, mistake=None) -> tuple[float, float]:
    """(w, b) after ``epochs`` epochs of mini-batch gradient descent from (0, 0), as fit_line's docstring
    describes it, or with one classic ``mistake`` (a key of PATH_MISTAKES). Each step's gradient is the one the
    docstring gives (the derivative itself is checked against torch.autograd in mse_grad's checks), written with
    dot products, in float64: a thousand steps take a few milliseconds."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w = b = 0.0
    n = len(x)
    for order in _orders(n, seed, epochs, mistake):
        stop = n - batch_size if mistake == "last_batch_skipped" else n  # range(0, n - batch_size, batch_size)
        for start in range(0, stop, batch_size):
            # one step per batch; "full_batch": with the gradient of every sample; "batch_one_short": the slice
            # order[start:start + batch_size - 1]
            rows = (
                order if mistake == "full_batch" else order[start : start + batch_size - (mistake == "batch_one_short")]
            )
            if not len(rows):
                continue
            xs = x[rows]
            error = w * xs + b - y[rows]
            step = lr / batch_size if mistake == "step_over_batch" else lr  # the batch's mean divided once more
            dw, db = 2.0 * float(np.dot(error, xs)) / len(rows), 2.0 * float(error.sum()) / len(rows)
            w, b = w - step * dw, b - step * (dw if mistake == "b_moved_by_dw" else db)
    return float(w), float(b)


def least_squares(x, y) -> tuple[float, float]:
    A = np.stack([x, np.ones_like(x)], axis=1)
    (w, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(w), float(b)


def fit_line_pair(result):
    """Fail unless fit_line returned a pair of Python floats (w, b)."""
    if not isinstance(result, tuple) or len(result) != 2:
        fail(text("ex1.fit_line_pair"), got=clip(repr(result), 120), hint="hint.return_pair")
    return result


SOLVERS = {"lstsq", "polyfit", "pinv", "solve", "inv"}  # NumPy routines that give the least-squares line at once


def _names(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _steps(loop) -> bool:
    """Whether a loop's body takes gradient steps: it calls mse_grad, or moves a variable against something
    (``w -= ...``, ``w = w - ...``)."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Call) and "mse_grad" in _names(node.func):
            return True
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Sub):
            return True
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.BinOp)
            and isinstance(node.value.op, ast.Sub)
            and _names(node.value.left) & {t.id for t in node.targets if isinstance(t, ast.Name)}
        ):
            return True
    return False


def formula_like(source: str) -> bool:
    """Whether fit_line's source (read, never run) looks like a formula rather than a descent: no loop of it takes
    gradient steps (:func:`_steps`; sums gathered in a loop are a formula too), or it calls a solver
    (``SOLVERS``). True when there is no source to read."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    loops = [node for node in ast.walk(tree) if isinstance(node, (ast.For, ast.AsyncFor, ast.While))]
    if not any(_steps(loop) for loop in loops):  # (an empty source has none)
        return True
    return bool(_names(tree) & SOLVERS)


def path_mistakes(x, y, lr, epochs, batch_size, seed, source: str) -> list:
    """(hint, (w, b)) for the classic ways a fit_line goes astray on this run: the least-squares line itself, the
    orders of PATH_MISTAKES, an argument ignored for its default, one epoch too many or too few.

    A full-batch descent also ends on the least-squares line: the line is named first when the source looks like
    a formula (:func:`formula_like`), after the mistakes of a descent when fit_line loops (its loop is then the
    likelier cause; the formula stays as the other one)."""
    formula, closed_form = formula_like(source), ("ex1.hint.closed_form", least_squares(x, y))
    found = [closed_form] if formula else []
    for mistake, hint in PATH_MISTAKES.items():
        if mistake == "no_shuffle" and "permutation" in source:  # drawn, but the batches ignore it
            hint = "ex1.hint.permutation_unused"
        found.append((hint, descent_path(x, y, lr, epochs, batch_size, seed, mistake)))
    for name, value in (("lr", lr), ("epochs", epochs), ("batch_size", batch_size), ("seed", seed)):
        if value != DEFAULTS[name]:
            args = {"lr": lr, "epochs": epochs, "batch_size": batch_size, "seed": seed, name: DEFAULTS[name]}
            found.append((f"ex1.hint.ignores_{name}", descent_path(x, y, **args)))
    found.append(("ex1.hint.epochs_one_more", descent_path(x, y, lr, epochs + 1, batch_size, seed)))
    if epochs > 1:
        found.append(("ex1.hint.epochs_one_short", descent_path(x, y, lr, epochs - 1, batch_size, seed)))
    return found if formula else found + [closed_form]


def expect_path(result, x, y, *, lr, epochs, batch_size, seed, source: str = "", expected=None):
    """fit_line's (w, b) equals the path of mini-batch gradient descent (or ``expected``, the reference's) on this
    run, up to rounding; a wrong one is matched against the classic mistakes."""
    w, b = fit_line_pair(result)
    want = expected if expected is not None else descent_path(x, y, lr, epochs, batch_size, seed)
    if all(isinstance(v, float) for v in (w, b)) and within(np.array([w, b]), np.array(want), **EXACT):
        return
    mistakes = path_mistakes(x, y, lr, epochs, batch_size, seed, source)  # (only for a message: they take time)
    call = text("ex1.what.fit_line_run", lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
    # NumPy's global generator, unseeded or seeded elsewhere: an order no run here can repeat
    default_hint = "ex1.hint.global_rng" if GLOBAL_RNG.search(source) else "ex1.hint.fit_line"
    for index, (label, got) in enumerate((("w", w), ("b", b))):
        expect_float(
            got,
            want[index],
            what=text("ex1.what.fit_line_param_of", label=label, call=call),
            **EXACT,
            mistakes=[(hint, point[index]) for hint, point in mistakes],
            default_hint=default_hint,
        )

"""Exercise 2's ``sgd``, graded as the update it makes (not a check module itself): the learner's sgd called on
tensors with known gradients, and as the step of a known training loop run in the sandbox (the probe), against the
grader's own path of that loop; when nothing moved, the learner's source read (never run) for which way it was
written.
"""

from __future__ import annotations

import ast

import numpy as np
import torch

from autograder.checking import (
    RemoteTensor,
    StudentException,
    fail,
    fmt,
    function_source,
    in_sandbox_module,
    parse_source,
    probe_left_alone,
    remembered,
    text,
)
from autograder.checks.ex2_support import EX2, tensor_param


def sgd_call(student, lr, batch_size):
    w = tensor_param([[0.5], [-1.0], [2.0]], [[1.0], [2.0], [-4.0]])
    b = tensor_param([0.25], [8.0])
    before = [w.detach().numpy().copy(), b.detach().numpy().copy()]
    grads = [w.grad.numpy().copy(), b.grad.numpy().copy()]
    try:
        call = student.session.call(EX2, "sgd", [w, b], lr, batch_size, return_args=True)
    except StudentException as error:
        sgd_error_hint(error)
        raise
    return call.value, before, grads, call.args[0]


def sgd_error_hint(error):
    message = error.detail.get("message", "")
    if "in-place" in message or "leaf Variable" in message:
        error.hint = "ex2.hint.no_grad"
    elif "NoneType" in message and "zero_" in message:  # p.grad of a new tensor made by `p = p - ...`
        error.hint = "ex2.hint.rebinding"


def loop_data():
    generator = torch.Generator().manual_seed(27)
    X = torch.randn(12, 3, generator=generator)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    w = torch.randn(3, 1, generator=generator) * 0.1
    return X, y, w, torch.zeros(1)


@remembered
def loop_path(X, y, w, b, lr, batch_size, steps, accumulate=False):
    """Where ``steps`` steps of sgd in a loop end (float32, as the probe computes them), or with gradients that
    pile up (``accumulate``: an sgd that never zeroes them)."""
    pieces = in_sandbox_module(EX2)
    held_w, held_b = torch.zeros_like(w), torch.zeros_like(b)
    for _step in range(steps):
        w, b = w.requires_grad_(True), b.requires_grad_(True)
        grad_w, grad_b = torch.autograd.grad(
            pieces._library_squared_loss(pieces._library_linreg(X, w, b), y).sum(), (w, b)
        )
        held_w, held_b = (held_w + grad_w, held_b + grad_b) if accumulate else (grad_w, grad_b)
        w = w.detach() - lr * held_w / batch_size
        b = b.detach() - lr * held_b / batch_size
    return np.concatenate([w.numpy().ravel(), b.numpy().ravel()]).astype(np.float64)


def sgd_loop(student, lr, batch_size, steps, fresh_grads):
    """The learner's sgd as the update of three steps of a known loop (the probe); the parameters' values."""
    X, y, w, b = loop_data()
    try:
        after = probe_left_alone(
            student.session,
            EX2,
            "sgd_steps",
            w.clone().requires_grad_(True),
            b.clone().requires_grad_(True),
            X,
            y,
            lr,
            batch_size,
            steps,
            fresh_grads,
            function="sgd",
            names=("w", "b"),
            allowed=("w", "b"),
        )
    except StudentException as error:
        sgd_error_hint(error)
        message = error.detail.get("message", "")
        if getattr(error, "hint", None) is None and ("does not require grad" in message or "NoneType" in message):
            error.hint = "ex2.hint.requires_grad"  # after the learner's sgd, the next backward() found no leaf
        raise
    if not (isinstance(after, tuple) and len(after) == 2 and all(isinstance(p, RemoteTensor) for p in after)):
        fail(text("ex2.sgd_params"), got=fmt(after), hint="ex2.hint.rebinding")
    return np.concatenate([after[0].values.ravel(), after[1].values.ravel()]).astype(np.float64), (X, y, w, b)


def zeroed_before_step(tree) -> bool:
    """Whether the first ``.zero_()`` (or ``.grad = None``) of sgd's source comes before its first in-place update
    (``-=`` or ``.sub_``): the values already showed that nothing moved; this says which way it was written."""
    zeroing = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "zero_")
        or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in node.targets)
        )
    ]
    updates = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Sub))
        or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "sub_")
    ]
    return bool(zeroing and updates and min(zeroing) < min(updates))


def unmoved_hint(student) -> str:
    """Why sgd left the tensors where they were: it rebinds the loop's name (``p = p - ...``, read from the
    learner's source), or takes no step at all."""
    tree = parse_source(function_source(student.session, EX2, "sgd"))
    if tree is not None and zeroed_before_step(tree):
        return "ex2.hint.zeroed_before_step"
    for loop in ast.walk(tree) if tree is not None else ():
        if (
            isinstance(loop, ast.For)
            and isinstance(loop.target, ast.Name)
            and any(
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == loop.target.id for t in node.targets)
                for node in ast.walk(loop)
            )
        ):
            return "ex2.hint.rebinding"
    return "ex2.hint.sgd_no_step"

"""The errors that learners' code commonly raises (torch's, NumPy's, plain Python's), each with the cause a beginner
can act on: one table, :data:`KNOWN_ERRORS`, and one way to read a table, :func:`matching_hint`.

The runner asks :func:`known_cause` for every error of the learner's code that a check did not explain itself.
A check that knows more about some of these errors in its own setting (exercise 4, on autograd's rules, says
"recompute the loss" where any exercise would say "backward through the graph twice") gives them its own words
with :func:`specialised`: the same entries, its hint keys; only errors that no other exercise meets get entries
of their own in a check's table. Entries are :class:`KnownError` tuples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from autograder.course import registry
from autograder.sandbox.client import ImportFailed, StudentError, StudentException


class KnownError(NamedTuple):
    """An error a learner's code raises, and its hint: the exception's type names (None: any type), a piece of
    its message (a string, or a pattern to search for), a piece of the learner's traceback that must be there too
    ("" for none), and the catalogue key of the hint."""

    types: tuple[str, ...] | None
    fragment: str | re.Pattern[str]
    context: str
    hint: str


# The common errors of torch and NumPy code, each with the cause a beginner can act on. The first that matches
# wins; the message is the learner's process's own, so nothing here trusts it beyond choosing a sentence.
_ACTIVATIONS = r"(?:ReLU|Sigmoid|Tanh|LeakyReLU|Softmax|GELU|ELU|SiLU)"
_LOSSES = r"(?:MSELoss|L1Loss|CrossEntropyLoss|HuberLoss|SmoothL1Loss|BCELoss)"
KNOWN_ERRORS: tuple[KnownError, ...] = (
    KnownError(("TypeError", "AttributeError"), "NoneType", ".grad", "hint.grad_is_none"),
    KnownError(("RuntimeError",), "does not require grad and does not have a grad_fn", "", "hint.no_grad_fn"),
    KnownError(("RuntimeError",), "shapes cannot be multiplied", "", "hint.matmul_shapes"),
    KnownError(("RuntimeError",), "must match the size of tensor", "", "hint.size_mismatch"),
    KnownError(("ValueError",), "matmul: Input operand", "", "hint.matmul_shapes"),
    KnownError(("ValueError",), "operands could not be broadcast together", "", "hint.size_mismatch"),
    KnownError(("ValueError",), "non-broadcastable output operand", "", "hint.size_mismatch"),
    KnownError(
        ("RuntimeError",),
        "leaf Variable that requires grad is being used in an in-place operation",
        "",
        "hint.inplace_leaf",
    ),
    KnownError(("RuntimeError",), "backward through the graph a second time", "", "hint.backward_twice"),
    # two dtypes in one operation: torch words it differently in each kernel
    KnownError(("RuntimeError",), "expected scalar type", "", "hint.dtype_mix"),
    KnownError(
        ("RuntimeError",),
        re.compile(r"must have the same dtype|to have the same dtype|Found dtype \w+ but expected"),
        "",
        "hint.dtype_mix",
    ),
    KnownError(("RuntimeError",), "grad can be implicitly created only for scalar outputs", "", "hint.backward_scalar"),
    # what is not a tensor, passed where a tensor belongs (nn.ReLU(x) makes a layer; torch.relu(self.hidden))
    KnownError(
        ("TypeError",), re.compile(rf"must be Tensor, not {_ACTIVATIONS}\b"), "", "hint.error.layer_made_not_applied"
    ),
    KnownError(
        ("TypeError",),
        re.compile(r"must be Tensor, not (?:Linear|Sequential|Module|\w*Net)\b"),
        "",
        "hint.error.layer_not_called",
    ),
    KnownError(
        ("TypeError",),
        re.compile(r"must be Tensor, not type\b|is not a Module subclass"),
        "",
        "hint.error.class_not_called",
    ),
    KnownError(
        ("TypeError",),
        re.compile(r"must be Tensor, not (?:builtin_function_or_method|function|method)\b"),
        "",
        "hint.error.function_not_called",
    ),
    KnownError(
        ("AttributeError",), re.compile(rf"'{_LOSSES}' object has no attribute"), "", "hint.error.loss_made_not_applied"
    ),
    KnownError(
        ("RuntimeError",),
        "Boolean value of Tensor with more than one value is ambiguous",
        "Loss(",
        "hint.error.loss_made_not_applied",
    ),
    KnownError(
        ("TypeError",),
        re.compile(r"'(?:Linear|Sequential|\w*Net)' object is not iterable"),
        "",
        "hint.error.optimizer_params",
    ),
    KnownError(
        ("ValueError", "RuntimeError"),
        re.compile(
            r"only one element tensors can be converted to Python scalars|"
            r"a Tensor with \d+ elements cannot be converted to Scalar"
        ),
        "",
        "hint.error.float_of_many",
    ),
    KnownError(("RuntimeError",), "Can't call numpy() on Tensor that requires grad", "", "hint.error.numpy_on_tensor"),
    KnownError(
        ("TypeError",),
        re.compile(r"got an unexpected keyword argument '(?:axis|keepdims|out)'"),
        "np.",
        "hint.error.numpy_on_tensor",
    ),  # np.mean(t): NumPy hands the tensor's own mean() its arguments
    # plain Python
    KnownError(("TypeError",), "'range' object does not support item assignment", "", "hint.error.shuffle_range"),
    KnownError(
        ("TypeError",),
        re.compile(r"'float' object cannot be interpreted as an integer|slice indices must be integers"),
        "",
        "hint.error.integer_needed",
    ),
    KnownError(("UnboundLocalError",), "", "", "hint.error.unbound_local"),
    KnownError(("NameError",), "is not defined", "", "hint.error.name_error"),
)


def known_cause(exc: StudentError) -> str | None:
    """The hint key for a well-known error raised by the learner's code, or None.

    ``p.grad`` being None is recognised from the message together with the failing line of code (which the
    traceback shows), since "NoneType" alone could be any missing ``return``.
    """
    if not isinstance(exc, StudentException):
        return None
    kind = str(exc.detail.get("type", ""))
    message = str(exc.detail.get("message", ""))
    trace = str(exc.detail.get("traceback", ""))
    name = name_error(exc)
    if name in TORCH_NAMES and numpy_only(exc.module):  # (torch in a NumPy-only exercise: not an import to add)
        return "hint.numpy_not_torch"
    return matching_hint(KNOWN_ERRORS, kind, message, trace)


def matching_hint(table, kind: str, message: str, trace: str = "") -> str | None:
    """The hint key of the first entry of ``table`` (:class:`KnownError` tuples, or plain ones of the same fields)
    that an error of type ``kind`` with ``message`` (raised through ``trace``) matches, or None."""
    for types, fragment, context, hint in table:
        found = fragment.search(message) if isinstance(fragment, re.Pattern) else fragment in message
        if (types is None or kind in types) and found and (not context or context in trace):
            return hint
    return None


def specialised(
    hints: Mapping[str, str], *, kind: str | None = None, table: tuple[KnownError, ...] = KNOWN_ERRORS
) -> tuple[KnownError, ...]:
    """The entries of ``table`` whose hint ``hints`` names (and, with ``kind``, that an exception of that type can
    match: ``"RuntimeError"`` for torch's errors), in the table's order, each with the hint it maps to: a check's
    own words for errors the table knows (``{"hint.backward_twice": "ex4.hint.recompute"}``)."""
    chosen = tuple(
        entry for entry in table if entry.hint in hints and (kind is None or entry.types is None or kind in entry.types)
    )
    unknown = set(hints) - {entry.hint for entry in chosen}
    if unknown:  # (a misspelt key would silently give no hint)
        raise KeyError(f"no entry of the table of known errors has the hint {sorted(unknown)}")
    return tuple(entry._replace(hint=hints[entry.hint]) for entry in chosen)


# The names a learner's code uses for torch and its parts (explain.IMPORTS has the import of each).
TORCH_NAMES = {"torch", "nn", "F", "optim", "data", "DataLoader", "TensorDataset"}
_NAME_ERROR = re.compile(r"^name '(\w+)' is not defined")


def name_error(exc: StudentError | None) -> str | None:
    """The undefined name of a NameError the learner's code raised (in a call, or while its file was imported)."""
    if isinstance(exc, ImportFailed):
        exc = exc.detail.get("cause")
    if not isinstance(exc, StudentException) or exc.detail.get("type") != "NameError":
        return None
    match = _NAME_ERROR.match(str(exc.detail.get("message", "")))
    return match.group(1) if match else None


def numpy_only(module: str) -> bool:
    """Whether the exercise ``module`` is graded without torch (its checks declare ``SANDBOX = "numpy"``)."""
    try:
        return registry.course(include_hidden=False).exercise(module).sandbox == "numpy"
    except KeyError:
        return False

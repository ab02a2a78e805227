"""What a learner's code did, in words: the account of a :class:`~autograder.sandbox.client.StudentError`.

Used by the runner for every check that could not get an answer, and by
checks that explain a failure of a piece they called (such as ``train``'s
diagnosis); checks never import the runner.
"""

from __future__ import annotations

import re
import string

from . import messages, registry
from .messages import text
from .sandbox import client


def _imports_torch(exc: client.StudentError) -> bool:
    detail = exc.detail
    if detail.get("type") not in ("ModuleNotFoundError", "ImportError"):
        return False
    message = str(detail.get("message", ""))
    try:
        numpy_only = registry.course(include_hidden=False).exercise(exc.module).sandbox == "numpy"
    except KeyError:
        return False
    return numpy_only and "NumPy only" in message


def describe_student_error(exc: client.StudentError) -> str:
    """A learner-facing account of what their code did."""
    fn = f"{exc.function}" if exc.function else exc.module
    detail = exc.detail
    if isinstance(exc, client.NotImplementedYet):
        return text("status.not_implemented", function=fn, module=exc.module)
    if isinstance(exc, client.ImportFailed):
        cause = detail.get("cause")
        if isinstance(cause, client.StudentException) and cause.detail.get("kind") == "encoding":
            d = cause.detail
            return text("status.encoding", file=d.get("file") or f"{exc.module}.py", line=d.get("line"),
                        code=d.get("text", ""), encoding=d.get("encoding") or text("status.encoding_unknown"))
        if isinstance(cause, client.StudentException) and cause.detail.get("kind") == "syntax":
            d = cause.detail
            return text("status.syntax_error", file=d.get("file") or f"{exc.module}.py", line=d.get("line"),
                        message=d.get("message"), code=d.get("text", ""))
        inner = describe_student_error(cause) if isinstance(cause, client.StudentError) else ""
        return text("status.import_failed", module=exc.module, cause=inner)
    if isinstance(exc, client.StudentException) and _imports_torch(exc):
        return text("status.numpy_only", module=exc.module)
    if isinstance(exc, client.StudentException):
        return text("status.exception", function=fn, type=detail.get("type", "Exception"),
                    message=catalogued(str(detail.get("message", ""))),
                    traceback=detail.get("traceback", "") or text("status.no_student_frame"))
    if isinstance(exc, client.StudentExit):
        return text("status.exit", function=fn)
    if isinstance(exc, client.StudentCrash):
        return text("status.crash", function=fn)
    if isinstance(exc, client.StudentTimeout):
        key = ("status.timeout_budget" if detail.get("budget") else
               "status.timeout_repeat" if detail.get("repeat") else "status.timeout")
        return text(key, function=fn, seconds=f"{detail.get('seconds', 0):g}") + stopped_at(detail.get("where"))
    if isinstance(exc, client.MissingFile):
        return text("status.missing_file", module=exc.module)
    if isinstance(exc, client.MissingFunction):
        return text("status.missing_function", function=fn, module=exc.module)
    if isinstance(exc, client.Unreadable):
        return text("status.unreadable", function=fn)
    return text("status.unknown", function=fn)


_CATALOGUED = re.compile(r"^(ex\d+\.sandbox\.\w+)((?: \w+=\S*)*)$")


def catalogued(message: str) -> str:
    """An exception's message, or the catalogue's text when it is one of the trusted helpers' messages in the
    sandbox (``checks/in_sandbox/``), which raise ``"<key> field=value ..."`` with a key ``ex<N>.sandbox.*``
    rather than a sentence in one language. Anything else (a learner's message that looks alike, fields that do
    not fit the text) is shown as it came."""
    match = _CATALOGUED.match(message)
    if not match or not messages.has(match.group(1)):
        return message
    fields = dict(pair.split("=", 1) for pair in match.group(2).split())
    wanted = {name for _, name, _, _ in string.Formatter().parse(messages.text(match.group(1))) if name}
    return messages.text(match.group(1), **fields) if set(fields) == wanted else message


def stopped_at(frames) -> str:
    """Where a timed-out call was stopped, as a line (and the line of code) to add to the message; "" if unknown.

    ``frames`` comes from ``client.stopped_at`` (already checked: the learner's own files, innermost last,
    each line's text read from the grader's copy of the file); the innermost frame is named, and the
    learner's function that called it, if any.
    """
    if not frames:
        return ""
    *callers, here = frames
    called_by = "".join(text("status.stopped.called_by", function=caller["function"], line=caller["line"])
                        for caller in callers[-1:] if caller["function"] != "<module>")
    if here["function"] == "<module>":
        where = text("status.stopped.at_top", file=here["file"], line=here["line"])
    else:
        where = text("status.stopped.at", file=here["file"], line=here["line"], function=here["function"],
                     called_by=called_by)
    return f"\n{where}" + (f"\n    {here['code']}" if here.get("code") else "")


# The common errors of torch and NumPy code, each with the cause a beginner can act on: (exception type,
# a piece of its message, the hint key). The first that matches wins; the message is the learner's
# process's own, so nothing here trusts it beyond choosing a sentence.
KNOWN_ERRORS = (
    (("TypeError", "AttributeError"), "NoneType", ".grad", "hint.grad_is_none"),
    (("RuntimeError",), "does not require grad and does not have a grad_fn", "", "hint.no_grad_fn"),
    (("RuntimeError",), "shapes cannot be multiplied", "", "hint.matmul_shapes"),
    (("RuntimeError",), "must match the size of tensor", "", "hint.size_mismatch"),
    (("ValueError",), "matmul: Input operand", "", "hint.matmul_shapes"),
    (("ValueError",), "operands could not be broadcast together", "", "hint.size_mismatch"),
    (("ValueError",), "non-broadcastable output operand", "", "hint.size_mismatch"),
    (("RuntimeError",), "leaf Variable that requires grad is being used in an in-place operation", "",
     "hint.inplace_leaf"),
    (("RuntimeError",), "backward through the graph a second time", "", "hint.backward_twice"),
    (("RuntimeError",), "expected scalar type", "", "hint.dtype_mix"),
    (("RuntimeError",), "grad can be implicitly created only for scalar outputs", "", "hint.backward_scalar"),
)


def known_cause(exc: client.StudentError) -> str | None:
    """The hint key for a well-known error raised by the learner's code, or None.

    ``p.grad`` being None is recognised from the message together with the failing line of code (which the
    traceback shows), since "NoneType" alone could be any missing ``return``.
    """
    if not isinstance(exc, client.StudentException):
        return None
    kind = str(exc.detail.get("type", ""))
    message = str(exc.detail.get("message", ""))
    trace = str(exc.detail.get("traceback", ""))
    for types, fragment, context, hint in KNOWN_ERRORS:
        if kind in types and fragment in message and (not context or context in trace):
            return hint
    return None

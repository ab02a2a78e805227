"""What a learner's code did, in words: the account of a :class:`~autograder.sandbox.client.StudentError`.

Used by the runner for every check that could not get an answer, and by
checks that explain a failure of a piece they called (such as ``train``'s
diagnosis); checks never import the runner.
"""

from __future__ import annotations

import ast
import re
import string

from autograder import messages
from autograder.checking.known_errors import TORCH_NAMES
from autograder.checking.known_errors import name_error as _name_error
from autograder.checking.known_errors import numpy_only as _numpy_only
from autograder.checking.source import parse
from autograder.course import registry
from autograder.grading import source_syntax
from autograder.grading.blame import function_at_line
from autograder.messages import label, text
from autograder.sandbox import client


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


def describe_student_error(exc: client.StudentError, source: str | None = None) -> str:
    """A learner-facing account of what their code did (``source``: the grader's copy of the learner's file,
    to tell a missing import from any other unknown name)."""
    fn = f"{exc.function}" if exc.function else exc.module
    detail = exc.detail
    if isinstance(exc, client.NotImplementedYet):
        return text("status.not_implemented", function=fn, module=exc.module)
    missing = missing_import(exc, source)
    if missing:
        return describe_missing_import(missing)
    if isinstance(exc, client.ImportFailed):
        cause = detail.get("cause")
        if isinstance(cause, client.StudentException) and cause.detail.get("kind") == "encoding":
            d = cause.detail
            return text(
                "status.encoding",
                file=d.get("file") or f"{exc.module}.py",
                line=d.get("line"),
                code=d.get("text", ""),
                encoding=d.get("encoding") or text("status.encoding_unknown"),
            )
        if isinstance(cause, client.StudentException) and cause.detail.get("kind") == "syntax":
            return source_syntax.describe(cause.detail, exc.module)
        unavailable = unavailable_module(cause, exc.module)
        if unavailable:
            return unavailable
        # the file's top level (outside any function) raised or ran too long: a learner's own test at its bottom
        compiling = "during compilation" in str(
            getattr(cause, "detail", {}).get("message", "")
        )  # (too deep to compile)
        if (
            isinstance(cause, client.StudentException)
            and not cause.function
            and not _imports_torch(cause)
            and not compiling
        ):
            d = cause.detail
            return text(
                "status.file.raised_at_import",
                module=exc.module,
                type=d.get("type", "Exception"),
                message=first_sentence(str(d.get("message", ""))),
                traceback=d.get("traceback", "") or text("status.no_student_frame"),
            )
        if isinstance(cause, client.StudentTimeout) and not cause.function and not cause.detail.get("budget"):
            return text(
                "status.file.timeout_at_import", module=exc.module, seconds=f"{cause.detail.get('seconds', 0):g}"
            ) + stopped_at(cause.detail.get("where"))
        inner = describe_student_error(cause) if isinstance(cause, client.StudentError) else ""
        return text("status.import_failed", module=exc.module, cause=inner)
    if isinstance(exc, client.StudentException) and _imports_torch(exc):
        return text("status.numpy_only", module=exc.module)
    if isinstance(exc, client.StudentException):
        return text(
            "status.exception",
            function=fn,
            type=detail.get("type", "Exception"),
            message=first_sentence(catalogued(str(detail.get("message", "")))),
            traceback=detail.get("traceback", "") or text("status.no_student_frame"),
        )
    if isinstance(exc, client.StudentExit):
        return text("status.exit", function=fn)
    if isinstance(exc, client.StudentCrash):
        return text("status.crash", function=fn)
    if isinstance(exc, client.StudentTimeout):
        key = (
            "status.timeout_budget"
            if detail.get("budget")
            else "status.timeout_repeat"
            if detail.get("repeat")
            else "status.timeout"
        )
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


def first_sentence(message: str, limit: int = 240) -> str:
    """An error's message as the report shows it: a long one (torch's run to several sentences of advice for
    programmers, such as ``retain_graph=True``, which is not the fix for a learner) up to its first sentence."""
    if len(message) <= limit:
        return message
    end = message.find(". ", 30)
    return message[: end + 1] if 0 < end < limit else message[:limit].rstrip() + "…"


def stopped_at(frames) -> str:
    """Where a timed-out call was stopped, as a line (and the line of code) to add to the message; "" if unknown.

    ``frames`` comes from ``client.stopped_at`` (already checked: the learner's own files, innermost last,
    each line's text read from the grader's copy of the file); the innermost frame is named, and the
    learner's function that called it, if any.
    """
    if not frames:
        return ""
    *callers, here = frames
    called_by = "".join(
        text("status.stopped.called_by", function=caller["function"], line=caller["line"])
        for caller in callers[-1:]
        if caller["function"] != "<module>"
    )
    if here["function"] == "<module>":
        where = text("status.stopped.at_top", file=here["file"], line=here["line"])
    else:
        where = text(
            "status.stopped.at", file=here["file"], line=here["line"], function=here["function"], called_by=called_by
        )
    return f"\n{where}" + (f"\n    {here['code']}" if here.get("code") else "")


# ----------------------------------------------------------------- a missing import, an unavailable module

# The names a learner's code uses for a library, and the import that gives each (the ones the exercises and
# the book use). A NameError for one of these, in a file that does not define it at its top, is a missing
# import: a problem of the file (every function that uses the name fails), not of the function that ran.
IMPORTS = {
    "np": "import numpy as np",
    "numpy": "import numpy",
    "torch": "import torch",
    "nn": "from torch import nn",
    "F": "import torch.nn.functional as F",
    "optim": "from torch import optim",
    "data": "from torch.utils import data",
    "DataLoader": "from torch.utils.data import DataLoader",
    "TensorDataset": "from torch.utils.data import TensorDataset",
    "random": "import random",
    "math": "import math",
}
# the book's helper package (``from d2l import torch as d2l``), which the grader does not have
BOOK_PACKAGE = "d2l"
_NO_MODULE = re.compile(r"^No module named '([\w.]+)'")


def top_level_names(source: str) -> tuple[set[str], set[str]] | None:
    """(the names the file's top level defines, the modules it imports there), read with :mod:`ast`;
    None when it cannot be parsed. Imports inside ``if``, ``try`` and ``with`` blocks count; inside functions not."""
    tree = parse(source)
    if tree is None:
        return None
    names, modules = set(), set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
                modules.add(alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(node, field, []) or [])
        elif isinstance(node, ast.ExceptHandler):
            todo.extend(node.body)
        else:
            names.update(
                target.id
                for target in ast.walk(node)
                if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store)
            )
    return names, modules


def missing_import(exc: client.StudentError, source: str | None) -> dict | None:
    """The fields of ``status.missing_import`` when ``exc`` is a NameError for a library's usual name that the
    learner's file (``source``, the grader's copy) never imports at its top; else None."""
    name = _name_error(exc)
    if name is None or source is None:
        return None
    found = top_level_names(source)
    if found is None or name in found[0]:
        return None
    if name == BOOK_PACKAGE:
        return {"module": exc.module, "name": name, "statement": "", "book": True}
    if name not in IMPORTS or (name in TORCH_NAMES and _numpy_only(exc.module)):
        return None
    return {"module": exc.module, "name": name, "statement": IMPORTS[name], "book": False}


def describe_missing_import(found: dict) -> str:
    if found.get("book"):
        return text("status.file.book_package", module=found["module"], name=found["name"])
    return text("status.file.missing_import", module=found["module"], name=found["name"], statement=found["statement"])


def unavailable_module(cause, module: str) -> str | None:
    """The message for a file whose import stopped at ``import <something the sandbox does not have>``."""
    if not isinstance(cause, client.StudentException) or cause.detail.get("type") not in (
        "ModuleNotFoundError",
        "ImportError",
    ):
        return None
    if _imports_torch(cause):
        return None  # (status.numpy_only says it)
    match = _NO_MODULE.match(str(cause.detail.get("message", "")))
    if not match:
        return None
    name = match.group(1).split(".")[0]
    if name == BOOK_PACKAGE:
        return text("status.file.book_package", module=module, name=name)
    return text("status.file.no_such_module", module=module, name=name, code=_import_line(cause))


def _import_line(cause) -> str:
    """The learner's line that imported the module (the last line of the traceback's student frames)."""
    lines = [line.strip() for line in str(cause.detail.get("traceback", "")).splitlines() if line.startswith("    ")]
    return lines[-1][:200] if lines else ""


def file_problem(exc: client.StudentError, missing: dict | None) -> str:
    """What keeps the whole file from being checked (``results.FILE_PROBLEMS``), or "" for a function's own error."""
    if missing:
        return "missing_import"
    if isinstance(exc, client.MissingFile):
        return "missing_file"
    if isinstance(exc, client.ImportFailed):
        cause = exc.detail.get("cause")
        kind = cause.detail.get("kind") if isinstance(cause, client.StudentException) else None
        return {"encoding": "encoding", "syntax": "syntax"}.get(str(kind), "import")
    return ""


# ----------------------------------------------------------------- warnings the learner's code raised

# NumPy's and torch's warnings at a line of the learner's file (``client.warned_at``), as a cause: (category,
# pattern of its message, the key of the sentence; the pattern's group is the operation NumPy names).
WARNINGS = (
    ("RuntimeWarning", re.compile(r"overflow encountered in ([\w ]{1,40})$"), "warned.overflow"),
    ("RuntimeWarning", re.compile(r"divide by zero encountered in ([\w ]{1,40})$"), "warned.divide_by_zero"),
    ("RuntimeWarning", re.compile(r"invalid value encountered in ([\w ]{1,40})$"), "warned.invalid_value"),
    (
        "UserWarning",
        re.compile(r"\.grad attribute of a Tensor that is not a leaf Tensor is being accessed()"),
        "warned.non_leaf_grad",
    ),
)
# the generic causes a warning replaces (it names the line; they can only guess between several); a check
# that found a specific cause keeps it, and the warning is not shown
GENERIC_HINTS = ("hint.not_finite", "hint.grad_is_none")


def warned(session, message: str, hint: str = "") -> str:
    """``message`` with the first known warning the learner's code raised during the check: it says at which line
    of their file an overflow, a division by zero or an invalid value happened (in place of a generic guess), or
    that a ``.grad`` was read from a tensor that is not a leaf. Unknown warnings are never shown, and neither is
    any warning when the check already named a specific cause (``hint``)."""
    if hint and hint not in GENERIC_HINTS:
        return message
    for warning in getattr(session, "warned", ()):
        for category, pattern, key in WARNINGS:
            match = pattern.search(warning["message"]) if warning["category"] == category else None
            if not match:
                continue
            module = warning["file"][:-3]
            raw = session.files.get(module, b"")
            function = function_at_line(
                raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw), warning["line"]
            )
            inside = text("warned.inside", function=function) if function else ""
            said = text(key, op=match.group(1).strip(), line=warning["line"], file=warning["file"], inside=inside)
            said = f"{said}\n    {warning['code']}" if warning["code"] else said
            generic = label("layout.cause") + text(hint) if hint in GENERIC_HINTS else None
            if generic and generic in message:
                return message.replace(generic, label("layout.cause") + said)
            return f"{message}\n{said}"
    return message


def same_error(exc: client.StudentError, hint: str | None) -> str:
    """A key shared by the errors of one cause whose messages differ only in numbers (the same line raising for
    inputs of other sizes: "stack expects each tensor to be equal size, but got [23, 2] ..." and "[40, 2]"):
    ``blame.settle`` shows such errors once. "" for anything else (then the message itself is the key)."""
    if not isinstance(exc, client.StudentException) or not hint:
        return ""
    detail = exc.detail
    return "|".join(
        (
            exc.function or "",
            str(detail.get("type", "")),
            hint,
            str(detail.get("traceback", "")),
            re.sub(r"\d+", "#", str(detail.get("message", ""))),
        )
    )


def import_line(exc: client.StudentError) -> int:
    """The line of the learner's file at which its import stopped (the last frame at the file's top level), or 0."""
    cause = exc.detail.get("cause") if isinstance(exc, client.ImportFailed) else None
    if isinstance(cause, client.StudentTimeout):  # (where it was stopped: frames checked by client.stopped_at)
        frames = [
            frame
            for frame in cause.detail.get("where") or ()
            if frame.get("function") == "<module>" and frame.get("file") == f"{exc.module}.py"
        ]
        return int(frames[-1]["line"]) if frames else 0
    trace = str(cause.detail.get("traceback", "")) if isinstance(cause, client.StudentException) else ""
    lines = re.findall(rf'File "{re.escape(exc.module)}\.py", line (\d+), in <module>', trace)
    return int(lines[-1]) if lines else 0

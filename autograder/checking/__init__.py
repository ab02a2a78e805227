"""The check authors' API: ``from autograder.checking import check, expect_array, ...`` is all a check file in
``autograder/checks/`` needs (with NumPy, torch and its exercise's own modules under ``autograder.checks``). It owns
the checks' tools: comparing what came back (``expect``), remembered reference runs (``memo``), the learner's source
read and never run (``source``), the by-hand rules (``byhand``), ``diagnose``'s guesses and the ``figures`` a check
records; it re-exports the course's ``check``, ``hidden_seed`` and ``in_sandbox_module``, the messages' ``text`` and
the sandbox's value types. It may import the course, the messages and the sandbox; never grading, a channel, a report
or a builder. ``known_errors`` holds the table of the errors learners' code commonly raises, which the runner
(through ``grading.explain``) and the checks both read.
"""

from autograder.checking import figures
from autograder.checking.expect import (
    REGULAR,
    CheckFailed,
    clip,
    expect_array,
    expect_float,
    expect_inputs_left_alone,
    expect_tensor,
    expect_tensor_form,
    expect_true,
    fail,
    fmt,
    fmt_values,
    neighbours,
    probe_left_alone,
    type_hint,
    within,
)
from autograder.checking.known_errors import known_cause, matching_hint, specialised
from autograder.checking.memo import remembered
from autograder.checking.source import function_source, given_defaults
from autograder.checking.source import parse as parse_source
from autograder.course.registry import check, in_sandbox_module
from autograder.course.secret import hidden_seed
from autograder.messages import text
from autograder.sandbox.client import StudentError, StudentException
from autograder.sandbox.codec import FunctionRef, Generated, RemoteTensor

__all__ = [
    # declaring a check
    "check",
    "hidden_seed",
    "in_sandbox_module",
    # what came back, compared
    "CheckFailed",
    "REGULAR",
    "clip",
    "expect_array",
    "expect_float",
    "expect_inputs_left_alone",
    "expect_tensor",
    "expect_tensor_form",
    "expect_true",
    "fail",
    "fmt",
    "fmt_values",
    "neighbours",
    "probe_left_alone",
    "type_hint",
    "within",
    # the reference's runs, remembered (and started ahead, alongside the learner's)
    "remembered",
    # the learner's source (read, never run) and errors
    "function_source",
    "given_defaults",
    "known_cause",
    "matching_hint",
    "specialised",
    "parse_source",
    "StudentError",
    "StudentException",
    # values from the sandbox: tensors, functions, generators
    "FunctionRef",
    "Generated",
    "RemoteTensor",
    # texts and pictures
    "figures",
    "text",
]

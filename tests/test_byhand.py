"""The by-hand rule reads any file Python accepts: a file too deeply nested to read fails the functions that reach
it (never a grader error, never a numerical derivative passing unseen), and no constant makes the reading slow.
The rule's findings on real mistakes are the fixtures' (tests/buggy, test_buggy_submissions.py)."""

import ast

import pytest

from autograder.checking import byhand
from autograder.messages import text

RULES = {"dloss": ("numerical_grad",), "mse_grad": ("numerical_grad",)}
DEEP = " + ".join(["0"] * 1500)  # Python parses it; a recursive walk of it stops near 1,000
CENTRAL = "(loss(w + 1e-6) - loss(w - 1e-6)) / 2e-6"


def _source(dloss_body: str, extra: str = "", mse_grad_body: str = "    return 4.0 * w") -> str:
    return (
        "def loss(w):\n    return (2.0 * w - 1.0) ** 2\n\n"
        f"def dloss(w):\n{dloss_body}\n\n"
        f"def mse_grad(w):\n{mse_grad_body}\n"
        f"{extra}"
    )


def test_a_deep_statement_fails_the_functions_that_reach_it_only():
    source = _source(f"    pad = {DEEP}\n    return {CENTRAL} + pad")
    found = byhand.findings(source, RULES)
    assert set(found) == {"dloss"}, found
    assert found["dloss"].kind == "too_deep" and found["dloss"].where == "dloss"
    assert found["dloss"].line == 5, "the line where the deep expression is (5), not the def line (4)"


def test_a_deep_by_hand_function_is_named_in_the_one_that_calls_it():
    source = _source("    return mse_grad(w)", mse_grad_body=f"    pad = {DEEP}\n    return 4.0 * w + pad")
    found = byhand.findings(source, RULES)
    assert found["mse_grad"].kind == found["dloss"].kind == "too_deep", found
    said = byhand.message(found["dloss"], RULES)
    assert said == text("byhand.too_deep", function="dloss", line=found["dloss"].line,
                        where=text("byhand.in_helper", where="mse_grad", function="dloss"))


def test_a_numerical_derivative_elsewhere_comes_before_too_deep():
    """A reason the learner can act on is said first; the deep statement only when nothing else is found."""
    source = _source(f"    return numerical_grad(loss, w) + helper(w)", f"\ndef helper(w):\n    return {DEEP}\n")
    assert byhand.findings(source, RULES)["dloss"].kind == "forbidden_call"


@pytest.mark.parametrize("shape", [
    DEEP,
    "-" * 1500 + "w",
    ".".join(["w"] + ["real"] * 1500),
    "w" + "[0]" * 1500,
    " < ".join(["w"] * 1500),
    " and ".join(["w"] * 1500),
    "not " * 1500 + "w",
    "lambda: " * 150 + "w",
])
@pytest.mark.parametrize("place", ["dloss", "default", "module", "unreached"])
def test_no_deep_expression_makes_a_grader_error(shape, place):
    if place == "dloss":
        source = _source(f"    pad = {shape}\n    return {CENTRAL}")
    elif place == "default":
        source = _source(f"    return {CENTRAL}").replace("def dloss(w):", f"def dloss(w, pad={shape}):")
    else:
        module = f"PAD = {shape}\n"
        source = _source(f"    return {CENTRAL}" + (" + 0 * PAD" if place == "module" else ""), module)
    found = byhand.findings(source, RULES)  # (no exception)
    assert "dloss" in found and "mse_grad" not in found, found  # the central difference never passes unseen


def test_a_file_the_grader_s_parser_gives_up_on_is_read_from_the_bottom_of_a_stack(monkeypatch):
    """How deep an expression Python's parser takes depends on how deep in its stack it runs: a file that the
    grader's shared parse gives up on may still be imported by the sandbox, less deep in its. It is read all the
    same, so a numerical derivative in it is found."""
    monkeypatch.setattr(byhand, "parse", lambda source: None)  # the shared parse, run too deep in the stack
    found = byhand.findings(_source(f"    return {CENTRAL}"), RULES)
    assert set(found) == {"dloss"} and found["dloss"].kind in ("shifted_call", "tiny_step"), found


def test_a_file_too_deep_for_any_parser_has_no_finding():
    """Python cannot import it either: its checks say so (test_hostile), not the by-hand rule."""
    bomb = "\ndef bomb():\n    return " + "+".join(["1"] * 20_000) + "\n"
    assert byhand.findings(_source(f"    return {CENTRAL}", bomb), RULES) == {}


def test_a_file_with_a_syntax_error_has_no_finding():
    """It cannot be imported either: the checks say so, not the by-hand rule."""
    assert byhand.findings(_source("    return (w"), RULES) == {}


@pytest.mark.parametrize("expression", ["((9 ** 64) ** 64) ** 64", "(2 ** 4000) * (2 ** 4000)", "1 << 5000"])
def test_no_constant_is_folded_into_a_huge_number(expression):
    """The module's constants are folded in the grading process: a tower of powers would take hours."""
    value = byhand._constant(ast.parse(expression, mode="eval").body, {})
    assert value is None or (isinstance(value, int) and value.bit_length() <= byhand.MAX_BITS), value


def test_small_constants_are_still_folded():
    assert byhand._constant(ast.parse("2 ** -20 / 3", mode="eval").body, {}) == pytest.approx(2 ** -20 / 3)
    assert byhand._constant(ast.parse("-(1e-3 * 1j)", mode="eval").body, {}) == -(1e-3 * 1j)

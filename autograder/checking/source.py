"""The learner's source, read with :mod:`ast` and never run: one tree per source text (``parse``), the text of one
function (``function_source``), for the checks' hints that depend on how the code is written and for grading's blame.
"""

from __future__ import annotations

import ast
import functools
import re


@functools.lru_cache(maxsize=16)
def parse(source) -> ast.Module | None:
    """The learner's ``source`` as an :mod:`ast` tree, or None when Python cannot parse it.

    Besides a syntax error, ``ast.parse`` raises ValueError (a null byte) and RecursionError or MemoryError
    (an expression nested thousands deep, which a file may hold on purpose): in the grading process each of
    them means "no tree", never a grader error. One tree per source text, shared by the checks that read it
    (about twenty per submission): read it, never change it.
    """
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def function_source(session, module: str, function: str) -> str:
    """The source text of one top-level function of the learner's file ("" when absent or unparsable).

    Read with :mod:`ast`, never run: for hints that depend on how the code is written (a permutation drawn
    and not used gives the same results as no shuffling at all).
    """
    raw = session.files.get(module)
    source = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw or "")
    return _function_sources(source).get(function, "")


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The top-level functions of ``tree`` by name (the last definition of a name: the one Python keeps)."""
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


@functools.lru_cache(maxsize=16)
def _function_sources(source: str) -> dict[str, str]:
    """The source text of each top-level function of ``source``, by name (the last definition of a name), as
    ``ast.get_source_segment`` gives it (which would split the whole file into lines again for each one)."""
    tree = parse(source)
    if tree is None:
        return {}
    lines = _LINE_ENDS.split(source)  # [line, end, line, end, ...]: Python's own line ends, as ast splits them
    lines = ["".join(lines[i : i + 2]) for i in range(0, len(lines), 2)]
    found = {}
    for node in _functions(tree).values():
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1  # (a parsed tree has both)
        if first == last:
            found[node.name] = lines[first].encode()[node.col_offset : node.end_col_offset].decode()
            continue
        head = lines[first].encode()[node.col_offset :].decode()
        tail = lines[last].encode()[: node.end_col_offset].decode()
        found[node.name] = "".join([head, *lines[first + 1 : last], tail])
    return found


_LINE_ENDS = re.compile(r"(\r\n|\r|\n)")


def given_defaults(session, module: str, function: str) -> dict | None:
    """The defaults of ``function``'s parameters as its ``def`` line in the learner's file writes them, read and
    never run: ``{name: value}`` for each default that is a literal (a number, a string, True, None; a parameter
    with another default, or none, is left out), from the last top-level definition; None when the file defines
    no such function or cannot be parsed.

    For a hint only, never a point: other code of the file can still change what the function is or does when an
    argument is left out, so a check that needs the defaults calls the function without them and sees.
    """
    raw = session.files.get(module)
    tree = parse(raw if isinstance(raw, (bytes, str)) else "")  # (bytes: with its BOM or coding line, as Python)
    if tree is None:
        return None
    definition = _functions(tree).get(function)
    if definition is None:
        return None
    arguments = definition.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = [*zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True)]
    pairs += [(name, value) for name, value in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if value]
    literal = {name.arg: _literal(node) for name, node in pairs}
    return {name: value for name, value in literal.items() if value is not _NOT_LITERAL}


_NOT_LITERAL = object()


def _literal(node: ast.expr):
    """The value of a default that is a literal number, string, True, False or None (``2000``, ``-0.5``,
    ``"sigmoid"``), as ``ast.literal_eval`` reads it; else _NOT_LITERAL (a name, an expression, a tuple...)."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL
    return value if value is None or isinstance(value, (int, float, str)) else _NOT_LITERAL

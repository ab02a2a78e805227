"""One message per cause, on the function that is wrong.

After every check of a submission has run, :func:`settle` rewrites the
failure messages so that a beginner, who follows the first "where to look"
literally, is sent to the right place once:

* a check whose function calls (directly or through other graded functions)
  a function that fails its own check, or whose check runs one to make its
  input (``@check(uses=...)``), says "`train` uses `linreg`, which
  fails its own check: fix `linreg` first" instead of "look at `train`" (and
  without its own guess at a cause, which would point into `train`);
* a syntax error is reported once, on the function at its line; every other
  check of that file says in one line that it is blocked by it;
* the same message in several checks of one exercise (the same exception
  from the same line, say) is shown in full once; the others point to it. So
  is the advice to fix another function first: once per function and culprit.

Who calls whom is read from the learner's own file with :mod:`ast` (never
run): a function that does not call ``linreg`` is not blamed on it.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from autograder.checking.source import parse
from autograder.messages import label, text

if TYPE_CHECKING:  # (annotations only: the notebook's self-check imports this module for parse)
    from autograder.grading.results import CheckResult


_DEF = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")


def function_at_line(source: str, line: int) -> str | None:
    """The function (``name`` or ``Class.method``) that line ``line`` of ``source`` belongs to.

    A file with a syntax error cannot be parsed, so this walks back from the line, through each less
    indented line, to the enclosing ``def`` and ``class`` lines. None at the top level.
    """
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return None
    names: list[str] = []
    limit = None  # an enclosing line is indented less than this
    for current in reversed(lines[:line]):
        if not current.strip():
            continue
        indent = len(current) - len(current.lstrip())
        if limit is not None and indent >= limit:
            continue
        match = _DEF.match(current)
        if match:
            names.append(match.group(1))
        limit = indent
        if indent == 0:
            break
    return ".".join(reversed(names)) or None


def calls(source: str, graded: set[str]) -> dict[str, set[str]]:
    """For each top-level function of ``source``, the graded functions it calls, directly or not."""
    tree = parse(source)
    if tree is None:
        return {}
    # a module-level name that holds graded functions (``_ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_grad)}``):
    # a function that reads it may call any of them
    held: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            names = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name) and n.id in graded}
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name) and names:
                    held[target.id] = held.get(target.id, set()) | names
    direct: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            used = {name.id for name in ast.walk(node) if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)}
            direct[node.name] = {
                call.func.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in graded
                and call.func.id != node.name
            }
            direct[node.name] |= {f for name in used & set(held) for f in held[name] if f != node.name}
    closure: dict[str, set[str]] = {}
    for name in direct:
        seen, todo = set(), list(direct[name])
        while todo:
            callee = todo.pop()
            if callee not in seen:
                seen.add(callee)
                todo.extend(direct.get(callee, ()))
        seen.discard(name)
        closure[name] = seen
    return closure


def parameters(source: str, function: str) -> list[str]:
    """The names of the positional parameters of the top-level function ``function`` of ``source`` ([] when
    absent or unparsable): to name an argument in a message as the learner's own code names it."""
    tree = parse(source)
    for node in tree.body if tree is not None else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function:
            return [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    return []


def _where(result: CheckResult) -> str:
    return label("layout.where") + where_line(result)


def where_line(result: CheckResult) -> str:
    """Where to look: the function, or for a problem of the file, its line (a syntax error) or its top (an import)."""
    if result.file_problem == "missing_import":
        return text("layout.file.where_top", module=result.exercise)
    if result.file_problem in ("syntax", "encoding", "import") and result.line:
        inside = text("layout.file.where_in", function=result.where) if result.where else ""
        return text("layout.file.where_line", line=result.line, module=result.exercise, inside=inside)
    if result.file_problem and not result.where:
        return text("layout.file.where_file", module=result.exercise)
    return text("layout.where_line", function=result.where, module=result.exercise)


def without_cause(message: str) -> str:
    """``message`` without its guesses ("Likely cause: ...", "Or: ...", "Advice: ...") and the indented lines that
    belong to them (a line of code)."""
    guesses, kept, dropping = (
        tuple(label(key) for key in ("layout.cause", "layout.or_cause", "layout.advice")),
        [],
        False,
    )
    for line in message.splitlines():
        dropping = line.startswith(guesses) or (dropping and line.startswith("    "))
        if not dropping:
            kept.append(line)
    return "\n".join(kept)


def settle(results: list[CheckResult], sources: dict[str, str]) -> None:
    """Rewrite the messages of ``results`` in place (see the module docstring). Scores are not touched."""
    graded: dict[str, set[str]] = {}
    for result in results:
        graded.setdefault(result.exercise, set()).add(result.function)
    graphs: dict[str, dict[str, set[str]]] = {}  # module -> its call graph, parsed when a failure needs it

    def graph(module: str) -> dict[str, set[str]]:
        if module not in graphs:
            graphs[module] = calls(sources[module], graded.get(module, set())) if module in sources else {}
        return graphs[module]

    line_of = {(r.exercise, r.function): r.line for r in results}
    failing = {(r.exercise, r.function) for r in results if r.status != "passed" and not r.not_implemented}
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    for result in results:
        if result.status != "passed" and not result.not_implemented and not result.debug and result.core:
            groups.setdefault((result.exercise, result.same_as or result.core), []).append(result)
    blamed: dict[tuple[str, str, str], CheckResult] = {}  # (exercise, function, sent to) -> where it is said
    for group in groups.values():
        # shown in full once: on a check of the function to look at, if one has this message
        home = next((r for r in group if r.function == r.where), group[0])
        called = set(graph(home.exercise).get(home.where, ()))
        runs = called | (set(home.uses) if home.where == home.function else set())  # and what the check runs
        uses = sorted(
            (callee for callee in runs if (home.exercise, callee) in failing),
            key=lambda callee: line_of.get((home.exercise, callee), 0),
        )
        shown, core = home, home.core
        if uses:
            # the first failing one in the file: fixing it may well fix the others (blame once). This
            # check's own "likely cause" guessed at a mistake in this function, so it is left out; and
            # another check of this function already sent there says it for both.
            shown = blamed.setdefault((home.exercise, home.where, uses[0]), home)
            key = "layout.fix_first" if uses[0] in called else "layout.fix_first_input"  # (not a call in the code)
            where = text(key, function=home.where, uses=f"`{uses[0]}`", first=uses[0], module=home.exercise)
            core = without_cause(core)
        else:
            where = _where(home)
        if shown is home:
            home.message = f"{core}\n{where}"
        for result in group:
            if result is not shown:
                key = {"SyntaxError": "report.blocked_by_syntax", "Encoding": "report.blocked_by_encoding"}.get(
                    result.cause, "report.same_cause"
                )
                result.message = text(key, title=shown.name, function=shown.where, line=result.line)
                result.pointer = True

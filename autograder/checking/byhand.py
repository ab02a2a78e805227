"""Derivatives worked out by hand: spot a numerical derivative in the learner's source.

Exercises 1 and 3 ask for derivatives written with the chain rule. A generic
differentiator gives the same numbers: the complex step ``Im f(x + h*1j) / h``
is exact to the last digit, and a central difference of a quadratic loss is
exact at any step. Values cannot tell those apart from a formula, so the
grader reads the learner's file (with :mod:`ast`, never running it) and, for
each function an exercise declares ``BY_HAND``, looks at that function and at
everything of the file it reaches by name, directly or not (other functions,
classes, lambdas and values bound at the top of the file, aliases included).
It refuses there:

* complex numbers: imaginary literals (``1e-30j``), ``complex``, complex
  dtypes (``"complex128"``, ``"D"``), ``.imag``, ``cmath``, ``np.emath``,
  ``np.lib.scimath``;
* tools that differentiate (``np.gradient``, scipy, jax, autograd, sympy),
  and names reached through strings (``getattr``, ``globals()[...]``,
  ``eval``), which hide what is run;
* a difference quotient: a division by a step smaller than 0.01 (``/ (2 *
  h)`` with ``h = 1e-6``; constant arithmetic such as ``10 ** -6`` and
  ``np.float64(1e-6)`` is folded first, names bound at the top of the file
  too);
* a function of the file evaluated at a shifted point: a call with an
  argument ``z + h`` or ``w - 0.5`` (a constant, or a name bound to one);
* the functions a declaration names (exercise 1's ``dloss`` must not use the
  learner's ``numerical_grad``, under any alias).

What stays possible (the README's threat model says why that is accepted): a
hand-written dual-number class, or a difference quotient with a step that is
not a constant. Both take more understanding of derivatives than the formula
they replace.
"""

from __future__ import annotations

import ast
import operator
import threading
from dataclasses import dataclass

from autograder.checking.source import parse
from autograder.messages import text

COMPLEX_NAMES = {
    "complex",
    "complex64",
    "complex128",
    "complex256",
    "cdouble",
    "csingle",
    "clongdouble",
    "cfloat",
    "complexfloating",
    "imag",
    "iscomplex",
    "iscomplexobj",
    "cmath",
    "emath",
    "scimath",
}
COMPLEX_DTYPES = {"complex", "complex64", "complex128", "complex256", "c8", "c16", "c32", "D", "F", "G"}
# as an attribute (np.gradient) or an import; a variable of the learner's may be called `gradient`
TOOL_NAMES = {
    "gradient",
    "approx_fprime",
    "derivative",
    "scipy",
    "jax",
    "autograd",
    "sympy",
    "numdifftools",
    "jacobian",
    "hessian",
    "torch",
}
INDIRECT = {"getattr", "globals", "locals", "vars", "eval", "exec", "__import__", "import_module"}
TINY = 0.01  # a division by a nonzero constant smaller than this is a difference quotient
# the one that says most first; "too_deep": a statement nested too deeply to walk (a sum of a thousand terms),
# which may hide any of the others
PRIORITY = ("complex", "tool", "forbidden_call", "shifted_call", "tiny_step", "indirect", "too_deep")


@dataclass(frozen=True)
class Finding:
    """Why ``function`` is not worked out by hand: ``kind`` (one of PRIORITY), at ``line`` of the learner's file,
    in ``where`` (``function``, or a name of the file it reaches), showing ``snippet``."""

    function: str
    where: str
    kind: str
    line: int
    snippet: str


_FOLD = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_CASTS = {"float", "float64", "float32", "float16", "double", "longdouble", "single"}


MAX_BITS = 4096  # a folded integer larger than this is no step size: not folded (a file cannot make this slow)


def _constant(node, names: dict, memo: dict | None = None):
    """The value of a constant expression (literals, arithmetic on them, casts such as ``np.float64(1e-6)``, names
    bound to one), else None. ``memo`` (id of a node -> its value, for one ``names``) makes the values of every
    node of a long expression cost one pass, not one pass per node. (One frame per level of the expression: the
    depth at which a statement is too deep to read is Python's recursion limit, about 1,000.)"""
    if memo is not None and id(node) in memo:
        return memo[id(node)]
    value = None
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float, complex))
        and not isinstance(node.value, bool)
    ):
        value = node.value
    elif isinstance(node, ast.Name) and node.id in names:
        value = names[node.id]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _constant(node.operand, names, memo)
        value = None if operand is None else (-operand if isinstance(node.op, ast.USub) else operand)
    elif isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        called = (
            node.func.id
            if isinstance(node.func, ast.Name)
            else node.func.attr
            if isinstance(node.func, ast.Attribute)
            else None
        )
        if called in _CASTS:
            value = _constant(node.args[0], names, memo)
    elif isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        value = _fold(node.op, _constant(node.left, names, memo), _constant(node.right, names, memo))
    if memo is not None:
        memo[id(node)] = value
    return value


def _fold(op, left, right):
    """``left op right`` for two constants (None if either is not one, or if the result would be huge)."""
    if left is None or right is None:
        return None
    try:
        too_big = isinstance(left, int) and isinstance(right, int) and left.bit_length() * right > MAX_BITS
        if isinstance(op, ast.Pow) and (abs(right) > 64 or too_big):
            return None
        value = _FOLD[type(op)](left, right)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return None if isinstance(value, int) and value.bit_length() > MAX_BITS else value


def _bound_constants(node, names: dict) -> dict:
    """``names`` and the names bound to a constant in ``node``: ``h = 1e-6``, parameters with a numeric default."""
    names = dict(names)
    for inner in ast.walk(node):
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            positional = inner.args.posonlyargs + inner.args.args
            for arg, default in zip(
                positional[len(positional) - len(inner.args.defaults) :], inner.args.defaults, strict=True
            ):
                value = _constant(default, {})
                if value is not None:
                    names[arg.arg] = value
        if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name):
            value = _constant(inner.value, names)
            if value is not None:
                names[inner.targets[0].id] = value
    return names


def _bindings(tree: ast.Module) -> dict[str, list]:
    """Every name bound at the top of the file -> the top-level statements that bind it."""
    bound: dict[str, list] = {}
    for statement in tree.body:
        names = set()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
        else:  # assignments, and definitions inside if/try/with at the top level (not a function's own locals)
            for inner in _walk_top(statement):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    names.add(inner.id)
                elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(inner.name)
        for name in names:
            bound.setdefault(name, []).append(statement)
    return bound


def _walk_top(node):
    """The nodes of a top-level statement, without going into the bodies of the functions and classes it defines
    (depth first, parents before children; with a list, not by recursion: a statement may be nested deeply)."""
    yield node
    pending = list(reversed(list(ast.iter_child_nodes(node))))
    while pending:
        child = pending.pop()
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            pending.extend(reversed(list(ast.iter_child_nodes(child))))


def _deepest(statement):
    """The node nested deepest in ``statement`` that has a line (walked with a list): where a too-deep expression
    begins."""
    deepest, most = statement, 0
    pending = [(statement, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > most and hasattr(node, "lineno"):
            deepest, most = node, depth
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _loads(node) -> set[str]:
    return {inner.id for inner in ast.walk(node) if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load)}


def _label(statement) -> str:
    """How a message names a top-level statement: its function or class, else the name it binds, else its line."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name
    stores = [n.id for n in _walk_top(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    return stores[0] if stores else str(statement.lineno)


def _dtype_string(node, parent) -> bool:
    """A complex dtype given as a string: ``dtype="complex128"``, ``.astype("D")``, ``np.ones(1, "D")``."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in COMPLEX_DTYPES):
        return False
    return (
        len(node.value) > 1
        or isinstance(parent, ast.keyword)
        and parent.arg == "dtype"
        or (isinstance(parent, ast.Call) and node in parent.args)
    )


def _shifted(node, names: dict, memo: dict) -> bool:
    """An argument ``x + step`` or ``x - step`` with a constant step (or such a shift inside it)."""
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.BinOp)
            and isinstance(inner.op, (ast.Add, ast.Sub))
            and (_constant(inner.left, names, memo) is not None) != (_constant(inner.right, names, memo) is not None)
        ):
            return True
    return False


def _signs(statement, names: dict, callable_names: set, forbidden: set):
    """(kind, node) for every sign of a numerical derivative in one top-level ``statement``, whatever the rule:
    a ``forbidden_call`` of any name in ``forbidden`` and a ``shifted_call`` of any of ``callable_names``
    (:func:`_applies` keeps a rule's own). Found once per statement: several rules reach the same helpers."""
    names = _bound_constants(statement, names)
    memo: dict[int, object] = {}  # (the values of this statement's nodes, with these names: see _constant)
    parents = {child: node for node in ast.walk(statement) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(statement):
        if isinstance(node, ast.Constant) and isinstance(node.value, complex) or _dtype_string(node, parents.get(node)):
            yield "complex", node
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names]
            modules += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if any(m.split(".")[0] in COMPLEX_NAMES | TOOL_NAMES for m in modules):
                yield "tool", node
        if isinstance(node, ast.Attribute) and node.attr in COMPLEX_NAMES:
            yield "complex", node
        if isinstance(node, ast.Attribute) and node.attr in TOOL_NAMES:
            yield "tool", node
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in ("complex", "cmath"):
                yield "complex", node
            if node.id in forbidden:
                yield "forbidden_call", node
            if node.id in INDIRECT:
                yield "indirect", node
        if isinstance(node, ast.Attribute) and node.attr in INDIRECT:
            yield "indirect", node
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name)) and isinstance(_constant(node, names, memo), complex):
            yield "complex", node
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            step = _constant(node.right, names, memo)
            if isinstance(step, (int, float)) and 0 < abs(step) < TINY:  # a difference quotient: / (2 * h)
                yield "tiny_step", node
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in callable_names
            and any(_shifted(arg, names, memo) for arg in [*node.args, *(k.value for k in node.keywords)])
        ):
            yield "shifted_call", node


def _applies(kind: str, node, forbidden: tuple, exempt: set) -> bool:
    """Whether a sign of :func:`_signs` counts for a rule: its own forbidden functions, and a shifted call of a
    function other than the by-hand functions it may call."""
    if kind == "forbidden_call":
        return node.id in forbidden
    if kind == "shifted_call":
        return node.func.id not in exempt
    return True


def findings(source: str, rules: dict[str, tuple[str, ...]]) -> dict[str, Finding]:
    """For each function of ``rules`` (``BY_HAND``: function -> the learner's functions it must not use) that is
    not worked out by hand, the first reason, found in it or in what of the file it reaches by name. A statement
    nested too deeply to walk is a reason of its own (``too_deep``), never a grader error."""
    if not rules:
        return {}
    tree = parse(source) or _parse_shallow(source)
    if tree is None:
        return {}
    bound = _bindings(tree)
    module_names: dict[str, object] = {}
    for statement in tree.body:  # constants bound at the top of the file (H = 1e-6)
        if isinstance(statement, ast.Assign):
            try:
                module_names = _bound_constants(statement, module_names)
            except RecursionError:  # (too deep to read: found as such by any rule that reaches it, below)
                pass
    callable_names = {
        name
        for name, statements in bound.items()
        if any(
            isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            or isinstance(s, ast.Assign)
            and isinstance(s.value, ast.Lambda)
            for s in statements
        )
    }
    exempt = set(rules)  # other by-hand functions may be called at any point (sigmoid_grad(X @ W1 + b1))
    any_forbidden = {called for forbidden in rules.values() for called in forbidden}
    signs: dict[int, list] = {}  # id(statement) -> _signs(statement), for every rule that reaches it
    loads: dict[int, list[str]] = {}  # id(statement) -> the names it loads, sorted
    out = {}
    for name, forbidden in rules.items():
        if name not in bound:
            continue
        seen, queue, found = set(), list(bound[name]), []
        may_call = exempt - {name}
        while queue:  # the function, then everything of the file it reaches by name (directly or not)
            statement = queue.pop(0)
            if id(statement) in seen:
                continue
            seen.add(id(statement))
            if id(statement) not in signs:
                try:
                    signs[id(statement)] = list(_signs(statement, module_names, callable_names, any_forbidden))
                except RecursionError:  # Python parses a sum of up to about 3,000 terms; this walk stops near 1,000
                    signs[id(statement)] = [("too_deep", _deepest(statement))]  # cannot be read: not by hand
                loads[id(statement)] = sorted(_loads(statement))
            found += [
                (kind, node, statement)
                for kind, node in signs[id(statement)]
                if _applies(kind, node, forbidden, may_call)
            ]
            queue.extend(s for loaded in loads[id(statement)] if loaded != name for s in bound.get(loaded, ()))
        if found:
            kind, node, statement = min(found, key=lambda f: (PRIORITY.index(f[0]), f[2] is not bound[name][0]))
            segment = "" if kind == "too_deep" else ast.get_source_segment(source, node) or ""
            out[name] = Finding(
                name, _label(statement), kind, getattr(node, "lineno", statement.lineno), " ".join(segment.split())[:60]
            )
    return out


def _parse_shallow(source: str) -> ast.Module | None:
    """``ast.parse(source)`` at the bottom of a new thread's stack, or None.

    How deep an expression Python's parser takes depends on how deep in the stack it runs (about 3,000 terms of a
    sum at the bottom): the grader's shared :func:`parse` runs deeper than the sandbox's import of the same file,
    so a file it gives up on may still run. Parsed here, from the bottom of a stack, a file that still fails
    cannot be imported either (its checks say so), and one that parses is read as any other."""
    trees: list[ast.Module] = []

    def run() -> None:
        try:
            trees.append(ast.parse(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass

    thread = threading.Thread(target=run, name="by-hand parse")
    thread.start()
    thread.join()
    return trees[0] if trees else None


def message(finding: Finding, rules: dict) -> str:
    """What the report says about ``finding``, in the current language (``rules``: the exercise's ``BY_HAND``).
    A finding in another by-hand function is reported there; here the report only says so (but for a file too
    deeply nested to read: no other check has said more)."""
    if finding.where != finding.function and finding.where in rules and finding.kind != "too_deep":
        return text("byhand.through", function=finding.function, where=finding.where)
    where = (
        ""
        if finding.where == finding.function
        else text("byhand.in_helper", where=finding.where, function=finding.function)
    )
    callee = finding.snippet.split("(", 1)[0]
    return text(
        f"byhand.{finding.kind}",
        function=finding.function,
        line=finding.line,
        snippet=finding.snippet,
        callee=callee,
        where=where,
    )

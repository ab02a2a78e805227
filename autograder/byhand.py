"""Derivatives worked out by hand: spot a numerical derivative in the learner's source.

Exercises 1 and 3 ask for derivatives written with the chain rule. A generic
differentiator gives the same numbers: the complex step ``Im f(x + h*1j) / h``
is exact to the last digit, and a central difference of a quadratic loss is
exact at any step. Values cannot tell those apart from a formula, so the
grader reads the learner's file (with :mod:`ast`, never running it) and
refuses, in the functions an exercise declares ``BY_HAND`` and in every
function of the learner's file they call:

* complex numbers: imaginary literals (``1e-30j``), ``complex``, complex
  dtypes, ``.imag``, ``cmath``, ``np.emath``;
* tools that differentiate: ``np.gradient``, ``finfo``, ``spacing``,
  ``nextafter``, and modules such as scipy, jax, autograd, sympy;
* a difference quotient: a division by a tiny step, a constant of magnitude
  below 1e-3 (``/ (2 * h)`` with ``h = 1e-6``; constant arithmetic such as
  ``10 ** -6`` is folded first);
* the function evaluated at a shifted point: a call of a function of the
  learner's file with an argument ``z + h`` or ``w - 0.5`` (a constant, or a
  name bound to one);
* calls that a declaration names: ``mlp_backward`` running ``mlp_forward``
  again is differentiating numerically.

What stays possible (the README's threat model says why that is accepted): a
hand-written dual-number class, or a difference quotient written out inline
with a step that is not a constant. Both take more understanding of
derivatives than the formula they replace.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass

from .blame import parse
from .messages import text

COMPLEX_NAMES = {"complex", "complex64", "complex128", "complex256", "cdouble", "csingle", "clongdouble", "cfloat",
                 "complexfloating", "imag", "iscomplex", "iscomplexobj", "cmath", "emath"}
COMPLEX_DTYPES = {"complex", "complex64", "complex128", "c8", "c16", "c32", "D", "F", "G"}
TOOL_NAMES = {"gradient", "finfo", "spacing", "nextafter", "approx_fprime", "derivative", "scipy", "jax",
              "autograd", "sympy", "numdifftools", "jacobian", "hessian"}
TINY = 1e-3  # a nonzero constant smaller than this is a step of a numerical derivative


@dataclass(frozen=True)
class Finding:
    """Why ``function`` is not worked out by hand: ``kind`` (complex, tool, tiny_step, shifted_call,
    forbidden_call), at ``line`` of the learner's file, in ``where`` (``function`` or a function it calls),
    showing ``snippet``."""

    function: str
    where: str
    kind: str
    line: int
    snippet: str


_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
         ast.Pow: operator.pow}


def _constant(node, names: dict) -> complex | float | None:
    """The value of a constant expression (literals and arithmetic on them, names bound to one), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex)) \
            and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _constant(node.operand, names)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        left, right = _constant(node.left, names), _constant(node.right, names)
        if left is None or right is None:
            return None
        try:
            if isinstance(node.op, ast.Pow) and abs(right) > 64:
                return None
            return _FOLD[type(node.op)](left, right)
        except (ArithmeticError, ValueError, TypeError):
            return None
    return None


def _bound_constants(function: ast.FunctionDef) -> dict:
    """Names bound to a constant in ``function``: ``h = 1e-6`` and parameters with a numeric default."""
    names: dict = {}
    positional = function.args.posonlyargs + function.args.args
    for arg, default in zip(positional[len(positional) - len(function.args.defaults):], function.args.defaults):
        value = _constant(default, {})
        if value is not None:
            names[arg.arg] = value
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _constant(node.value, names)
            if value is not None:
                names[node.targets[0].id] = value
    return names


def _called_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else None


def _shifted(node, names: dict) -> bool:
    """An argument ``x + step`` or ``x - step`` with a constant step (or such a shift inside it)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, (ast.Add, ast.Sub)) \
                and (_constant(inner.left, names) is not None) != (_constant(inner.right, names) is not None):
            return True
    return False


def _dtype_string(node, parent) -> bool:
    """A complex dtype given as a string: ``dtype="complex128"``, ``.astype("D")``."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in COMPLEX_DTYPES):
        return False
    return len(node.value) > 1 or isinstance(parent, ast.keyword) and parent.arg == "dtype" or (
        isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr == "astype")


def _scan(function: ast.FunctionDef, defined: set, forbidden: tuple, exempt: set):
    """The first reason ``function``'s body is not a derivative by hand, as (kind, node), else None."""
    found = list(_reasons(function, defined, forbidden, exempt))
    return min(found, key=lambda reason: PRIORITY.index(reason[0])) if found else None


PRIORITY = ("complex", "tool", "forbidden_call", "shifted_call", "tiny_step")  # the one that says most, first


def _reasons(function: ast.FunctionDef, defined: set, forbidden: tuple, exempt: set):
    names = _bound_constants(function)
    parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(function):
        if isinstance(node, ast.Constant) and isinstance(node.value, complex) or _dtype_string(node, parents.get(node)):
            yield "complex", node
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names]
            modules += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if any(m.split(".")[0] in COMPLEX_NAMES | TOOL_NAMES for m in modules):
                yield "tool", node
        # as an attribute (np.gradient, np.complex128, z.imag) anything of the lists; as a bare name only
        # what a learner would not name a variable (a variable called `gradient` is fine)
        if isinstance(node, ast.Attribute) and node.attr in COMPLEX_NAMES:
            yield "complex", node
        if isinstance(node, ast.Name) and node.id in ("complex", "cmath"):
            yield "complex", node
        if isinstance(node, ast.Attribute) and node.attr in TOOL_NAMES:
            yield "tool", node
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            step = _constant(node.right, names)
            if isinstance(step, (int, float)) and 0 < abs(step) < TINY:  # a difference quotient: / (2 * h)
                yield "tiny_step", node
        if isinstance(node, ast.Call):
            called = _called_name(node)
            if called in forbidden:
                yield "forbidden_call", node
            if called in defined and called not in exempt and any(
                    _shifted(arg, names) for arg in [*node.args, *(k.value for k in node.keywords)]):
                yield "shifted_call", node


def findings(source: str, rules: dict[str, tuple[str, ...]]) -> dict[str, Finding]:
    """For each function of ``rules`` (``BY_HAND``: function -> the learner's functions it must not call) that is
    not worked out by hand, the first reason, found in it or in a function of the file that it calls."""
    tree = parse(source)
    if tree is None or not rules:
        return {}
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined = set(functions)
    exempt = set(rules)  # other by-hand functions may be called at any point (sigmoid_grad(X @ W1 + b1))
    out = {}
    for name, forbidden in rules.items():
        if name not in functions:
            continue
        seen, queue = set(), [name]
        while queue:  # the function, then every function of the file it calls (directly or not)
            current = queue.pop(0)
            if current in seen or current not in functions:
                continue
            seen.add(current)
            found = _scan(functions[current], defined, forbidden if current == name else (), exempt)
            if found is not None:
                kind, node = found
                segment = ast.get_source_segment(source, node) or ""
                out[name] = Finding(name, current, kind, getattr(node, "lineno", functions[current].lineno),
                                    " ".join(segment.split())[:60])
                break
            queue.extend(sorted(_called_name(n) for n in ast.walk(functions[current])
                                if isinstance(n, ast.Call) and _called_name(n) in functions))
    return out


def message(finding: Finding, rules: dict) -> str:
    """What the report says about ``finding``, in the current language (``rules``: the exercise's ``BY_HAND``).
    A finding in another by-hand function is reported there; here the report only says so."""
    if finding.where != finding.function and finding.where in rules:
        return text("byhand.through", function=finding.function, where=finding.where)
    where = "" if finding.where == finding.function else text("byhand.in_helper", where=finding.where,
                                                              function=finding.function)
    callee = finding.snippet.split("(", 1)[0]
    return text(f"byhand.{finding.kind}", function=finding.function, line=finding.line, snippet=finding.snippet,
                callee=callee, where=where)

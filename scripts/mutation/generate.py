"""The mutants of the reference solutions, each a whole exercise file with one change.

Two families:

* ``operator``: every mutation that mutmut's node operators
  (``mutmut.mutation.mutators.mutation_operators``: numbers, strings, names,
  assignments, arguments of calls, swapped operators, ...) make of a node that
  lies inside a learner's block (the lines between ``# BEGIN SOLUTION`` and
  ``# END SOLUTION``) or inside a default value of a graded function's
  signature. mutmut's own runner is not used: it rewrites the module with
  trampolines that import mutmut, which the sandbox cannot load.
* ``frozen`` and ``default``: for every parameter of every graded function
  (for a class, of its methods; ``self`` aside), a statement at the top of the
  body that replaces the argument by a constant: the first value this
  process ever received for it (``frozen``), or its default value
  (``default``). Each must lose points: a check that never varies an argument
  cannot tell whether the function uses it.

A mutant's identity (exercise, function, the changed line before and after)
survives edits elsewhere in the file; it is what ``mutants_equivalent.toml``
names.
"""

from __future__ import annotations

import difflib
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider
from mutmut.mutation.mutators import mutation_operators

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
KINDS = ("operator", "frozen", "default")

# Appended to every argument-freezing mutant: the constant is whatever the checks passed first, so no value
# has to be guessed (a snapshot, so that a function that changes its argument in place does not change it).
FROZEN_HELPER = '''

_FROZEN_SEEN = {}


def _frozen(key, value):
    """Mutation testing: the value first passed as ``key`` in this process, on every call after."""
    import copy

    if key not in _FROZEN_SEEN:
        try:
            _FROZEN_SEEN[key] = copy.deepcopy(value)
        except Exception:
            _FROZEN_SEEN[key] = value
        return value
    try:
        return copy.deepcopy(_FROZEN_SEEN[key])
    except Exception:
        return _FROZEN_SEEN[key]
'''


@dataclass(frozen=True)
class Mutant:
    exercise: str
    function: str  # the graded function (or class) it changes
    kind: str  # one of KINDS
    line: int  # first changed line of the solution file
    before: str  # the changed lines before, stripped, joined by " / " ("" for an inserted statement)
    after: str  # the same lines after the change
    source: str  # the whole mutated file
    occurrence: int = 1  # 2, 3, ... for later mutants of the same function with the same before and after

    @property
    def identity(self) -> tuple[str, str, str, str, int]:
        return (self.exercise, self.function, self.before, self.after, self.occurrence)

    def diff(self) -> str:
        """The change on one line."""
        if not self.before:
            return f"L{self.line} + {self.after}"
        return f"L{self.line} {self.before}  ->  {self.after}"


def solution_blocks(source: str) -> list[tuple[int, int]]:
    """(first, last) line numbers (1-based) strictly between each BEGIN and END SOLUTION marker."""
    blocks, start = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN:
            start = number + 1
        elif line.strip() == END and start is not None:
            if number - 1 >= start:
                blocks.append((start, number - 1))
            start = None
    return blocks


def _code(line: str) -> str:
    """``line`` stripped, without its comment (so that rewording a comment renames no mutant)."""
    cut = len(line)
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                cut = token.start[1]
                break
    except (tokenize.TokenError, SyntaxError):  # a line that opens a bracket it does not close
        pass
    return line[:cut].strip()


def _changed_lines(original: str, mutated: str) -> tuple[int, str, str]:
    old, new = original.splitlines(), mutated.splitlines()
    changes = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    first, last = changes[0], changes[-1]
    before = " / ".join(_code(line) for line in old[first[1] : last[2]])
    after = " / ".join(_code(line) for line in new[first[3] : last[4]])
    return first[1] + 1, before, after


class _Targets(cst.CSTVisitor):
    """The nodes to mutate, each with the top-level function or class it belongs to."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, blocks: list[tuple[int, int]], graded: set[str]):
        super().__init__()
        self.blocks = blocks
        self.graded = graded
        self.owner: str | None = None
        self.depth = 0
        # id(node) -> (node, owner, the parameter whose default it is part of, or None), in visiting order
        self.found: dict[int, tuple[cst.CSTNode, str, cst.Param | None]] = {}

    def _inside_block(self, node) -> bool:
        where = self.get_metadata(PositionProvider, node, None)
        return where is not None and any(a <= where.start.line and where.end.line <= b for a, b in self.blocks)

    def on_visit(self, node) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            if self.depth == 0:
                self.owner = node.name.value
            self.depth += 1
        if self.owner is None:
            return True
        if isinstance(node, cst.Param) and node.default is not None and self.owner in self.graded:
            stack = [node.default]  # a default value, and every node it is made of
            while stack:
                inner = stack.pop()
                self.found.setdefault(id(inner), (inner, self.owner, node))
                stack.extend(inner.children)
        elif self._inside_block(node):
            self.found.setdefault(id(node), (node, self.owner, None))
        return True

    def on_leave(self, original_node) -> None:
        if isinstance(original_node, (cst.FunctionDef, cst.ClassDef)):
            self.depth -= 1
            if self.depth == 0:
                self.owner = None


def _compiles(source: str, path: Path) -> bool:
    try:
        compile(source, str(path), "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def _numbered(mutants: list[Mutant]) -> list[Mutant]:
    """Give mutants that share (exercise, function, before, after) occurrences 1, 2, ... in file order."""
    seen: dict[tuple, int] = {}
    out = []
    for mutant in sorted(mutants, key=lambda m: (m.line, m.kind, m.before, m.after)):
        key = mutant.identity[:4]
        seen[key] = seen.get(key, 0) + 1
        out.append(Mutant(**{**mutant.__dict__, "occurrence": seen[key]}))
    return out


def operator_mutants(exercise: str, path: Path, graded: set[str]) -> list[Mutant]:
    """mutmut's operators over the learner's blocks and the graded functions' default values (no duplicates)."""
    original = path.read_text(encoding="utf-8")
    wrapper = MetadataWrapper(cst.parse_module(original))
    visitor = _Targets(solution_blocks(original), graded)
    wrapper.visit(visitor)
    tree = wrapper.module
    by_source: dict[str, Mutant] = {}
    for node, owner, param in visitor.found.values():
        for node_type, operator in mutation_operators:
            if not isinstance(node, node_type):
                continue
            for replacement in operator(node):
                source = tree.deep_replace(node, replacement).code
                if source == original or source in by_source or not _compiles(source, path):
                    continue
                line, before, after = _changed_lines(original, source)
                if param is not None:  # a default value: name the parameter, not the whole signature
                    before, after = _param_code(tree, param), _param_code(tree, param.deep_replace(node, replacement))
                by_source[source] = Mutant(exercise, owner, "operator", line, before, after, source)
    return _numbered(list(by_source.values()))


def _param_code(tree: cst.Module, param: cst.Param) -> str:
    """``lr=0.1``: a parameter and its default as written, without the comma that follows it."""
    return tree.code_for_node(param.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip()


def _parameters(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return [p for p in found if p.name.value != "self"]


def _insert_first(function: cst.FunctionDef, statement: cst.BaseStatement) -> cst.FunctionDef:
    """``function`` with ``statement`` first in its body, after the docstring if it has one."""
    body = list(function.body.body)
    at = 1 if function.get_docstring(clean=False) is not None else 0
    return function.with_changes(body=function.body.with_changes(body=[*body[:at], statement, *body[at:]]))


def _graded_definitions(tree: cst.Module, graded: set[str]):
    """(graded name, function definition): the graded functions, and every method of a graded class."""
    for statement in tree.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in graded:
            yield statement.name.value, statement
        elif isinstance(statement, cst.ClassDef) and statement.name.value in graded:
            for inner in statement.body.body:
                if isinstance(inner, cst.FunctionDef):
                    yield statement.name.value, inner


def frozen_mutants(exercise: str, path: Path, graded: set[str]) -> list[Mutant]:
    """For every parameter of every graded function: one mutant freezing it to the first value passed,
    and one to its default value (when it has one)."""
    original = path.read_text(encoding="utf-8")
    wrapper = MetadataWrapper(cst.parse_module(original))
    positions = wrapper.resolve(PositionProvider)
    tree = wrapper.module
    mutants = []
    for owner, function in _graded_definitions(tree, graded):
        qualified = owner if function.name.value == owner else f"{owner}.{function.name.value}"
        line = positions[function].start.line
        for param in _parameters(function):
            name = param.name.value
            statements = [("frozen", f"{name} = _frozen({f'{qualified}.{name}'!r}, {name})")]
            if param.default is not None:
                statements.append(("default", f"{name} = {tree.code_for_node(param.default)}"))
            for kind, text in statements:
                mutated = tree.deep_replace(function, _insert_first(function, cst.parse_statement(text + "\n")))
                source = mutated.code + (FROZEN_HELPER if kind == "frozen" else "")
                mutants.append(Mutant(exercise, owner, kind, line, "", text, source))
    return _numbered(mutants)


def all_mutants(solutions: Path, graded: dict[str, tuple[str, ...]], kinds=KINDS) -> list[Mutant]:
    """The mutants of every exercise in ``graded`` (exercise -> its graded functions), of ``kinds``."""
    mutants: list[Mutant] = []
    for exercise, functions in graded.items():
        path = solutions / f"{exercise}.py"
        if "operator" in kinds:
            mutants += operator_mutants(exercise, path, set(functions))
        if "frozen" in kinds or "default" in kinds:
            mutants += [m for m in frozen_mutants(exercise, path, set(functions)) if m.kind in kinds]
    return mutants

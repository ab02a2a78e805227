"""Translated docstrings: a release in another language replaces the docstrings of each exercise file with the ones
in ``autograder/messages/<lang>/docstrings/<exercise>.toml`` (the builders of :mod:`autograder.build` call
:func:`translate_docstrings`; :mod:`autograder.course.stubs` makes the stub either way).

A key per docstring: ``module`` for the module's, the function's name for a function's (``dloss``), the class's
name for a class's (``TinyNet``), ``"Class.method"`` (quoted: TOML would read a bare dotted key as a table) for a
method's. Every docstring of the file needs its entry, and every entry a docstring: a missing or misspelt one is an
error naming the exercise and the key, never a silently English docstring.
"""

from __future__ import annotations

import ast
import inspect
import tomllib
from pathlib import Path

DOCSTRINGS = Path(__file__).resolve().parent.parent / "messages"


class DocstringError(ValueError):
    """A translated docstring is missing, names nothing, or cannot be written into the file."""


def docstring_nodes(tree: ast.Module) -> dict[str, ast.Expr]:
    """key -> the docstring's ``Expr`` node: ``module``, ``function``, ``Class``, ``Class.method``."""
    found: dict[str, ast.Expr] = {}

    def first_string(node) -> ast.Expr | None:
        body = getattr(node, "body", [])
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            return body[0]
        return None

    def visit(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                expr = first_string(child)
                if expr is not None:
                    found[name] = expr
                visit(child, name + ".")

    module = first_string(tree)
    if module is not None:
        found["module"] = module
    visit(tree, "")
    return found


def docstring_file(lang: str, exercise: str) -> Path:
    return DOCSTRINGS / lang / "docstrings" / f"{exercise}.toml"


def load_docstrings(lang: str, exercise: str) -> dict[str, str]:
    """The translated docstrings of one exercise (see the comment above for the format)."""
    path = docstring_file(lang, exercise)
    if not path.is_file():
        raise DocstringError(f"{exercise}: no {lang} docstrings: create {path.relative_to(DOCSTRINGS.parent.parent)}")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DocstringError(f"{path}: {exc}") from None
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise DocstringError(
                f"{path}: {key!r} must be a non-empty string (a method is a quoted key, \"Class.method\" = '''...''')"
            )
    return {key: value.strip("\n") for key, value in table.items()}


def _render_docstring(text: str, indent: str, where: str) -> list[str]:
    """The lines of a docstring literal holding ``text``, indented by ``indent``."""
    body = inspect.cleandoc(text)
    if '"""' in body:
        raise DocstringError(f"{where}: a docstring cannot contain three double quotes")
    prefix = "r" if "\\" in body else ""
    lines = body.splitlines()
    if len(lines) == 1 and not body.endswith('"'):
        return [f'{indent}{prefix}"""{body}"""\n']
    out = [f'{indent}{prefix}"""{lines[0]}\n']
    out += [f"{indent}{line}\n" if line.strip() else "\n" for line in lines[1:]]
    out.append(f'{indent}"""\n')
    return out


def translate_docstrings(source: str, translations: dict[str, str], where: str = "<exercise>") -> str:
    """``source`` with every docstring replaced by its entry in ``translations``, by its AST position.

    Raises:
        DocstringError: a docstring without an entry, an entry without a docstring, a docstring
            that shares a line with code, or a result that does not compile.
    """
    tree = ast.parse(source)
    nodes = docstring_nodes(tree)
    missing = [key for key in nodes if key not in translations]
    if missing:
        raise DocstringError(f"{where}: no translated docstring for {', '.join(missing)}")
    unknown = [key for key in translations if key not in nodes]
    if unknown:
        raise DocstringError(
            f"{where}: translated docstrings for {', '.join(unknown)}, which have no docstring "
            f'in the exercise (misspelt, or a method not written as "Class.method"?)'
        )
    lines = source.splitlines(keepends=True)
    for key, node in sorted(nodes.items(), key=lambda item: -item[1].lineno):  # bottom up: positions stay valid
        end = node.end_lineno or node.lineno  # (a parsed tree has both)
        first, last = lines[node.lineno - 1], lines[end - 1]
        if first[: node.col_offset].strip() or last[node.end_col_offset :].strip():
            raise DocstringError(f"{where}:{node.lineno}: the docstring of {key} shares its line with code")
        lines[node.lineno - 1 : end] = _render_docstring(
            translations[key], first[: node.col_offset], f"{where} ({key})"
        )
    result = "".join(lines)
    try:
        tree = ast.parse(result)
    except SyntaxError as exc:  # pragma: no cover - _render_docstring escapes what it can
        raise DocstringError(f"{where}: the translated file does not compile (line {exc.lineno}): {exc.msg}") from exc
    for key, node in docstring_nodes(tree).items():
        said = node.value.value if isinstance(node.value, ast.Constant) else None  # (docstring_nodes: a str)
        if not isinstance(said, str) or inspect.cleandoc(said) != inspect.cleandoc(translations[key]):
            raise DocstringError(f"{where}: the docstring of {key} did not come out as written")  # pragma: no cover
    return result

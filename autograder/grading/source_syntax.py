"""A learner's file that Python cannot read: what is wrong, in words, at the line where the problem starts.

Decided in the grading process from the grader's own copy of the file, before
any of it runs (``compile`` reads code and never runs it, as ``ast.parse``,
which the grader already uses on the file): the file is then not imported in
the sandbox, and every check of it gets one message, shown once at the top of
its exercise (``blame.settle``, ``results.problem_entries``).

Python's own messages are precise but written for programmers, and some point
where Python noticed, not where the mistake is. So each kind gets its own
account (the catalogue's ``syntax.*`` texts):

* full-width punctuation from a Chinese input method (``（`` ``）`` ``：`` ``，``
  ``“`` ...): the character, its ASCII twin and every line that has one;
* tabs and spaces mixed in the indentation: which lines use which;
* indentation errors: the line that opens the block, or the levels a line
  could have lined up with;
* brackets: the line where the unclosed one was opened;
* a missing ``:``, an unterminated string, ``print x``, ``if x = 1`` and a few
  others; anything else as Python says it, with its line.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Any

from autograder.messages import has, text

# Characters an input method types in place of ASCII punctuation, and the ASCII character Python wants.
# (Full-width forms U+FF01-U+FF5E have an ASCII twin by NFKC as well; these are the ones NFKC does not map.)
TWINS = {
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "。": ".",
    "、": ",",
    "【": "[",
    "】": "]",
    "《": "<",
    "》": ">",
    "\u3000": " ",
    "—": "-",
    "–": "-",
    "×": "*",
    "÷": "/",
    "…": "...",
    "「": '"',
    "」": '"',
    "〔": "(",
    "〕": ")",
    "￥": "$",
}
# the characters whose Chinese name the catalogue has (``syntax.char.<code point>``); others: "a full-width character"
NAMED = (
    "ff08",
    "ff09",
    "ff1a",
    "ff0c",
    "ff1b",
    "201c",
    "201d",
    "2018",
    "2019",
    "3002",
    "3001",
    "3010",
    "3011",
    "300a",
    "300b",
    "3000",
    "ff1d",
    "ff01",
    "ff1f",
    "ff3b",
    "ff3d",
    "ff5b",
    "ff5d",
    "2014",
    "d7",
)
MAX_ROUNDS = 40  # full-width characters looked for, one compile each (a few hundred microseconds)

_INVALID = re.compile(r"invalid (?:non-printable )?character(?: '.')? ?\(?U\+([0-9A-Fa-f]{4,6})\)?")
_EXPECTED_BLOCK = re.compile(
    r"expected an indented block after (?:'(\w+)' statement|(function|class) definition)"
    r" on line (\d+)"
)
_MISMATCH = re.compile(r"closing parenthesis '(.)' does not match opening parenthesis '(.)'(?: on line (\d+))?")
_NEVER_CLOSED = re.compile(r"'(.)' was never closed")
_UNMATCHED = re.compile(r"unmatched '(.)'")
CLOSER = {"(": ")", "[": "]", "{": "}"}


def twin(char: str) -> str | None:
    """The ASCII character a full-width ``char`` stands for, or None."""
    if char in TWINS:
        return TWINS[char]
    folded = unicodedata.normalize("NFKC", char)
    return folded if folded != char and folded.isascii() and len(folded) == 1 else None


def problem(data: bytes | str, file: str = "") -> dict | None:
    """None if Python can compile ``data``; else the detail the report's message is made from:
    ``{"kind": "syntax", "what": ..., "line": where the problem starts, "text": that line, "message": Python's,
    "python_line": where Python noticed, ...}`` (see :func:`describe` for the fields of each ``what``)."""
    error = _compile_error(data)
    if error is None:
        return None
    source = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else str(data)
    lines = source.splitlines()
    detail: dict[str, Any] = {
        "kind": "syntax",
        "file": file,
        "what": "other",
        "message": str(error.msg)[:300],
        "line": error.lineno if isinstance(error.lineno, int) else 0,
        "python_line": error.lineno if isinstance(error.lineno, int) else 0,
    }
    for explain in (_null_byte, _full_width, _tabs, _indentation, _brackets, _common):
        found = explain(error, source, lines)
        if found:
            detail.update(found)
            break
    line = detail["line"]
    detail["text"] = lines[line - 1].strip()[:300] if 1 <= line <= len(lines) else ""
    return detail


def _compile_error(data) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():  # ("invalid escape sequence" and the like: not the grader's to print)
            warnings.simplefilter("ignore")
            compile(data, "<submission>", "exec", dont_inherit=True)
    except SyntaxError as error:  # (IndentationError and TabError are SyntaxErrors)
        return error
    except (ValueError, RecursionError, MemoryError, OverflowError):  # a null byte, absurd nesting: the import says
        return None
    return None


# ----------------------------------------------------------------- each kind


def _null_byte(error: SyntaxError, source: str, lines: list[str]) -> dict | None:
    if "\x00" not in source:
        return None
    return {"what": "null_byte", "line": source[: source.index("\x00")].count("\n") + 1}


def _full_width(error: SyntaxError, source: str, lines: list[str]) -> dict | None:
    """Every full-width character Python stops at, in order: each found by compiling again with the ones
    before it replaced by their twins (so a character inside a string or a comment, which is fine, is never
    named)."""
    found: list[tuple[int, str]] = []
    for _ in range(MAX_ROUNDS):
        match = _INVALID.search(str(error.msg))
        if not match or not isinstance(error.lineno, int) or not 1 <= error.lineno <= len(lines):
            break
        char = chr(int(match.group(1), 16))
        replacement = twin(char)
        row = lines[error.lineno - 1]
        if replacement is None or char not in row:
            if not found:
                found.append((error.lineno, char))
            break
        found.append((error.lineno, char))
        column = (error.offset or 1) - 1
        column = column if row[column : column + 1] == char else row.index(char)
        lines = [*lines[: error.lineno - 1], row[:column] + replacement + row[column + 1 :], *lines[error.lineno :]]
        again = _compile_error("\n".join(lines) + "\n")
        if again is None:
            break
        error = again
    if not found:
        return None
    line, char = found[0]
    return {
        "what": "full_width",
        "line": line,
        "char": char,
        "twin": twin(char) or "",
        "others": [[other_line, other] for other_line, other in found[1:]],
    }


def _indent(row: str) -> str:
    return row[: len(row) - len(row.lstrip(" \t"))]


def _code_lines(source: str) -> set[int]:
    """The lines that begin a statement or continue one at the start of a line: not blank, not inside a
    string that spans lines, by a rough reading (the file does not tokenize)."""
    starts, inside = set(), None
    for number, row in enumerate(source.splitlines(), start=1):
        if inside is None and row.strip() and not row.lstrip().startswith("#"):
            starts.add(number)
        for quote in ('"""', "'''"):
            if row.count(quote) % 2 == 1:
                inside = None if inside == quote else (quote if inside is None else inside)
    return starts


def _tabs(error: SyntaxError, source: str, lines: list[str]) -> dict | None:
    if not isinstance(error, TabError) and "inconsistent use of tabs" not in str(error.msg):
        return None
    code = _code_lines(source)
    tabbed = [n for n in sorted(code) if "\t" in _indent(lines[n - 1])]
    spaced = [n for n in sorted(code) if _indent(lines[n - 1]) and "\t" not in _indent(lines[n - 1])]
    if not tabbed:
        return None
    # the fewer kind is the one to change (an editor set to tabs in a file indented with spaces, or the reverse)
    odd, kind = (tabbed, "tabs") if len(tabbed) <= len(spaced) else (spaced, "spaces")
    return {"what": "tabs", "line": odd[0] if odd else error.lineno, "odd_lines": odd, "odd": kind}


def _indentation(error: SyntaxError, source: str, lines: list[str]) -> dict | None:
    message = str(error.msg)
    if "unexpected indent" in message:
        return {"what": "unexpected_indent"}
    match = _EXPECTED_BLOCK.search(message)
    if match:
        keyword = match.group(1) or {"function": "def", "class": "class"}[match.group(2)]
        opened = int(match.group(3))
        return {"what": "expected_block", "line": opened, "keyword": keyword}
    if "unindent does not match" in message and isinstance(error.lineno, int) and 1 <= error.lineno <= len(lines):
        width = len(_indent(lines[error.lineno - 1]).expandtabs(8))
        return {"what": "unindent", "width": width, "levels": _levels_above(lines, error.lineno)}
    if "expected an indented block" in message:
        return {"what": "expected_block_plain"}
    return None


def _levels_above(lines: list[str], line: int) -> list[int]:
    """The indentation widths of the lines a line at ``line`` could line up with: the enclosing blocks'."""
    levels, limit = set(), None
    for row in reversed(lines[: line - 1]):
        if not row.strip() or row.lstrip().startswith("#"):
            continue
        width = len(_indent(row).expandtabs(8))
        if limit is None or width < limit:
            levels.add(width)
            limit = width
        if width == 0:
            break
    return sorted(levels)


def _brackets(error: SyntaxError, source: str, lines: list[str]) -> dict | None:
    message = str(error.msg)
    match = _NEVER_CLOSED.search(message)
    if match:
        return {"what": "never_closed", "bracket": match.group(1), "closer": CLOSER.get(match.group(1), "")}
    match = _MISMATCH.search(message)
    if match:
        closer, opener, opened = match.group(1), match.group(2), match.group(3)
        opened = int(opened) if opened else error.lineno
        return {
            "what": "mismatch",
            "line": opened,
            "closer": closer,
            "bracket": opener,
            "wanted": CLOSER.get(opener, ""),
        }
    match = _UNMATCHED.search(message)
    if match:
        return {"what": "unmatched", "closer": match.group(1)}
    if "forgot a comma" in message:  # an expression that goes on where a bracket should have closed it
        opened = _open_bracket_before(lines, error.lineno)
        if opened:
            return {"what": "never_closed", "line": opened[0], "bracket": opened[1], "closer": CLOSER[opened[1]]}
        return {"what": "comma"}
    return None


def _open_bracket_before(lines: list[str], line) -> tuple[int, str] | None:
    """The innermost bracket still open at the end of ``line`` when the lines after it start a new statement
    (a rough scan: strings and comments skipped), as (its line, the bracket); None if none is."""
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        return None
    stack: list[tuple[int, str]] = []
    for number, row in enumerate(lines[:line], start=1):
        quote = None
        for index, char in enumerate(row):
            if quote:
                if char == quote and row[index - 1 : index] != "\\":
                    quote = None
            elif char in "'\"":
                quote = char
            elif char == "#":
                break
            elif char in CLOSER:
                stack.append((number, char))
            elif char in ")]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


_COMMON = (  # (a piece of Python's message, what)
    ("expected ':'", "colon"),
    ("unterminated triple-quoted string", "unterminated_triple"),
    ("unterminated string literal", "unterminated"),
    ("Missing parentheses in call to 'print'", "print"),
    ("Maybe you meant '==' or ':=' instead of '='", "assign_in_test"),
    ("'return' outside function", "return_outside"),
    ("invalid decimal literal", "decimal"),
)


def _common(error: SyntaxError, source: str, lines: list[str]) -> dict | None:
    for piece, what in _COMMON:
        if piece in str(error.msg):
            return {"what": what}
    return None


# ----------------------------------------------------------------- the learner's words


def line_list(numbers) -> str:
    """``3, 5, 7-9`` (at most ten runs, then ``...``; in Chinese ``3、5、7-9``)."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    separator = text("syntax.list_separator")
    shown = [f"{run[0]}-{run[-1]}" if len(run) > 2 else separator.join(map(str, run)) for run in runs[:10]]
    return separator.join(shown) + (f"{separator}..." if len(runs) > 10 else "")


def char_name(char: str) -> str:
    key = f"syntax.char.{ord(char):x}"
    return text(key) if has(key) else text("syntax.char.other", code=f"U+{ord(char):04X}")


def describe(detail: dict, module: str) -> str:
    """The message for a syntax problem found by :func:`problem` (or the worker's plain SyntaxError)."""
    what = str(detail.get("what") or "other")
    file = detail.get("file") or f"{module}.py"
    fields = {
        "file": file,
        "line": detail.get("line"),
        "python_line": detail.get("python_line") or detail.get("line"),
        "message": detail.get("message", ""),
        "code": detail.get("text", ""),
    }
    if what == "full_width":
        char, ascii_twin = str(detail.get("char", "")), str(detail.get("twin", ""))
        others: dict[int, list[str]] = {}  # line -> its characters, in order (the first one's line included)
        for number, other in detail.get("others", []):
            if isinstance(number, int) and other not in others.setdefault(number, []):
                others[number].append(str(other))
        more = (
            text(
                "syntax.full_width_more",
                places=text("syntax.list_separator").join(
                    text(
                        "syntax.full_width_here" if number == detail.get("line") else "syntax.full_width_place",
                        line=number,
                        chars=" ".join(f"`{c}`" for c in chars),
                    )
                    for number, chars in list(others.items())[:12]
                ),
            )
            if others
            else ""
        )
        shown_twin = text("syntax.space") if ascii_twin == " " else f"`{ascii_twin}`"
        body = "\n".join(
            part
            for part in (
                text("syntax.full_width", char=char, name=char_name(char), twin=shown_twin, **fields),
                more,
                text("syntax.full_width_advice"),
            )
            if part
        )
    elif what == "tabs":
        kind = "tabs" if detail.get("odd") == "tabs" else "spaces"
        body = text(
            f"syntax.{kind}_among_{'spaces' if kind == 'tabs' else 'tabs'}",
            lines=line_list(detail.get("odd_lines", [])) or str(detail.get("line")),
            **fields,
        )
    elif what == "unindent":
        numbers = [str(level) for level in detail.get("levels", [])] or ["0"]
        levels = text("syntax.last_separator").join(
            [text("syntax.list_separator").join(numbers[:-1]), numbers[-1]] if len(numbers) > 1 else numbers
        )
        body = text("syntax.unindent", width=detail.get("width", 0), levels=levels, **fields)
    elif what == "expected_block":
        body = text("syntax.expected_block", keyword=detail.get("keyword", ""), **fields)
    elif what in ("never_closed", "mismatch", "unmatched"):
        body = text(
            f"syntax.{what}",
            bracket=detail.get("bracket", ""),
            closer=detail.get("closer", ""),
            wanted=detail.get("wanted", ""),
            **fields,
        )
    elif what in (
        "null_byte",
        "unexpected_indent",
        "expected_block_plain",
        "comma",
        "colon",
        "unterminated",
        "unterminated_triple",
        "print",
        "assign_in_test",
        "return_outside",
        "decimal",
    ):
        body = text(f"syntax.{what}", **fields)
    else:
        body = text("syntax.other", **fields)
    return body

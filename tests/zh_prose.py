"""What counts as English prose in a Chinese text, for tests/test_chinese_release.py.

A Chinese text may hold code, and only code, in Latin letters. Code is:

* a code span (```` ``...`` ```` or `` `...` ``) and a line of a docstring's literal block (the indented lines
  after a line ending in ``::``) that Python can parse, a field ``{name}`` of a catalogue template (or
  ``%(name)s`` of argparse's words), a fenced
  block of the README; a span that is a command line (``make grade``, ``py grade.py --lang en``) too; a
  span or literal line that is neither is pseudo-code, and its words are judged as the prose's are
  (``w with w[i] + eps`` is English);
* a URL or a path (``https://...``, ``exercises/ex1_manual_gradients.py``, ``.venv``);
* a word that reads as code where it stands: it holds a digit or ``_`` (``float32``, ``batch_size``), it is
  attached to code punctuation (``np.mean``, ``backward()``, ``params[...]``, ``--lang``), it is one letter
  (``w``, ``n``), or a symbol of at most two letters beside a mathematical operator (``Xw + b``);
* a name the exercises define: a function, class, method, parameter or other name of ``exercises/*.py``
  (``dloss``, ``features``, ``TinyNet``, ``hidden``), or a key of the parameter dictionaries (``W1``);
* a name from ``NAMES``: the libraries, types and tools a learner types or sees as they are (``NumPy``,
  ``DataLoader``, ``None``, ``UTF-8``, ``Ctrl``), and ``UI_LABELS``: the exact words another program shows
  on the learner's screen in English (an editor's menu), quoted for them to click.

Every other Latin word is English prose: ``MEAN``, ``reshape`` used as a verb, ``with w[i] + eps`` inside a
code span is still code (a span is code), but ``float64 ndarray`` is prose (``ndarray`` is neither a name of
the exercises nor written as code).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Library, type and tool names, written as the learner sees them in code, on the screen or in the book.
NAMES = {
    # languages, libraries and their modules, as they are spelt
    "Python", "NumPy", "PyTorch", "torch", "numpy", "np", "nn", "optim", "autograd", "matplotlib", "pytest",
    "nbgrader", "Jupyter", "conda", "pip", "make", "venv",
    # torch's and NumPy's classes and functions that the exercises name by their own names
    "DataLoader", "TensorDataset", "Module", "Linear", "MSELoss", "SGD", "Adam", "ReLU",
    "sigmoid", "relu", "dtype", "float", "int", "None", "True", "False", "NaN", "nan", "inf", "tuple", "list",
    "dict", "NoneType", "str", "bool", "NotImplementedError", "Exception", "lambda",
    # encodings, formats and platforms
    "UTF", "GBK", "GB18030", "Big5", "ASCII", "JSON", "CSV", "HTML", "CPU", "MB", "FIFO", "Windows", "macOS", "Linux", "PowerShell",
    "cmd", "Debian", "Ubuntu", "VS", "Code", "PyCharm", "Notepad", "Ctrl", "Shift", "Enter", "Tab",
    # the report's status labels are Chinese; the error names of Python are code
    "SyntaxError", "TypeError", "ValueError", "RuntimeError", "IndexError", "KeyError", "AttributeError",
    "NameError", "ImportError", "ModuleNotFoundError", "IndentationError", "TabError", "ZeroDivisionError",
    "UnicodeDecodeError", "UnboundLocalError", "RecursionError", "MemoryError", "OverflowError", "StopIteration", "AssertionError",
}
# What other programs show in English, quoted as the words to click (a Chinese learner's editor may be English).
UI_LABELS = ("Save with Encoding", "File > File Properties > File Encoding > UTF-8", "Convert Indentation to Spaces",
             "Edit > Convert Indents > To Spaces", "Convert", "Add python.exe to PATH")

_SPANS = re.compile(r"``.+?``|`[^`\n]+`|\{\w*(?::[^{}]*)?\}|\$\(\w+\)|%\(\w+\)[sdr]|%s", re.S)  # %(...)s: argparse's
_URL = re.compile(r"https?://\S+|(?:[\w.-]*/)+[\w.*-]*|\.?[\w-]+\.(?:py|zip|md|html|txt|toml|json|csv|ipynb)\b"
                  r"|(?<![\w])\.[A-Za-z]\w*")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MATH = set("=+-*/@<>^")


@lru_cache(maxsize=1)
def exercise_names() -> frozenset[str]:
    """Every name the exercise files define or bind (functions, classes, methods, parameters, other names),
    and the string keys they use (``"W1"``)."""
    names: set[str] = set()
    for path in sorted((ROOT / "solutions").glob("ex*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                names.add(node.value)
    return frozenset(names - set(keyword.kwlist) - set(dir(builtins)))


def _parses(code: str) -> bool:
    """Whether ``code`` is Python (an expression, statements, or a block's header line)."""
    code = code.strip().replace("...", "x")
    for attempt in (code, code + ": pass", code + " pass", "x" + code):  # "x" + code: an attribute (``.grad``)
        try:
            ast.parse(attempt)
            return True
        except SyntaxError:
            continue
    return False


def _literal_blocks(text: str) -> str:
    """``text`` with the lines of a docstring's literal blocks (the indented lines after a line ending in
    "::") that are Python left out; the others are kept, to be read as prose."""
    out, block_indent = [], None
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                if not _parses(line):
                    out.append(line)
                continue
            block_indent = None
        out.append(line)
        if line.rstrip().endswith("::"):
            block_indent = indent
    return "\n".join(out)


def code_removed(text: str, docstring: bool = False) -> str:
    """``text`` with its code spans, fields, fenced blocks, literal blocks, URLs and paths blanked out."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    if docstring:
        text = _literal_blocks(text)
    for label in UI_LABELS:
        text = text.replace(label, " ")
    text = _SPANS.sub(lambda span: " " if _is_code(span.group()) else f" {span.group().strip('`')} ", text)
    return _URL.sub(" ", text)


_COMMAND = re.compile(r"^(make|python3?|py|pip|conda|[.\w\\/]*python(\.exe)?)\s")  # a command line to type


def _is_code(span: str) -> bool:
    if not span.startswith("`"):
        return True  # a field
    inside = span.strip("`")
    # a span of symbols only (a bracket named as a character to type) holds no words
    return _parses(inside) or bool(_COMMAND.match(inside)) or not re.search("[A-Za-z]", inside)


def _reads_as_code(text: str, match: re.Match) -> bool:
    word, start, end = match.group(), match.start(), match.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if len(word) == 1 or any(c.isdigit() or c == "_" for c in word):
        return True
    if before in "._-\\'\"" or after in "(.[_\\-'\"=":
        return True
    if word in NAMES or word in exercise_names():
        return True
    if len(word) <= 2:  # a symbol in a formula: an operator beside it (spaces aside)
        left, right = text[:start].rstrip()[-1:], text[end:].lstrip()[:1]
        if left in _MATH or right in _MATH:
            return True
    return False


def english_words(text: str, docstring: bool = False) -> list[str]:
    """The Latin words of ``text`` that are English prose, not code (see the module docstring)."""
    plain = code_removed(text, docstring)
    return [match.group() for match in _WORD.finditer(plain) if not _reads_as_code(plain, match)]


def english_prose(text: str, docstring: bool = False) -> str:
    """"" when ``text`` holds no English prose; else the English words, with the line of the first."""
    words = english_words(text, docstring)
    if not words:
        return ""
    first = next((line for line in text.splitlines() if words[0] in line), text[:120])
    return f"{' '.join(dict.fromkeys(words))}  <- in: {first.strip()[:160]}"


# ----------------------------------------------------------------- punctuation
# Chinese text takes full-width punctuation: "，" "：" "；" "？" "！" "（" "）". A half-width mark belongs to code
# (removed first, as above) or to Latin text: it is wrong where it touches a Chinese character (a space between
# them aside), and a pair of half-width parentheses is wrong around Chinese words.

_HAN = "\u3400-\u9fff\uf900-\ufaff"
_ARGUMENT = re.compile(r"^(\s*)[\w*]+( \([^)]*\))?: ", re.M)  # "    w: float。" in a docstring's argument list
_TOUCHING = re.compile(rf"[{_HAN}] ?[,;:?!]|[,;:?!] ?[{_HAN}]")


def half_width_punctuation(text: str, docstring: bool = False) -> list[str]:
    """The places where Chinese text uses a half-width ",;:?!" or "(...)" (outside code), with some context."""
    plain = code_removed(text, docstring)
    if docstring:  # the argument lists' "name: " and the "::" that opens a literal block are the docstring's markup
        plain = re.sub(r"::$", "", _ARGUMENT.sub(r"\1", plain), flags=re.M)
    found = [plain[max(0, m.start() - 8):m.end() + 8] for m in _TOUCHING.finditer(plain)]
    opened = []
    for index, char in enumerate(plain):  # a pair of "(" ")" (nested ones too) around Chinese words
        if char == "(":
            opened.append(index)
        elif char == ")" and opened:
            start = opened.pop()
            if re.search(f"[{_HAN}]", plain[start:index]):
                found.append(plain[start:index + 1][:40])
    return [" ".join(piece.split()) for piece in found]


# ----------------------------------------------------------------- what of a report is the kit's own text
# A report quotes what is not the kit's to translate: the learner's code (a traceback's frames and lines, the
# line of a syntax error or of a timeout, all indented), the message of an exception their code raised (Python's,
# NumPy's or torch's own words, the learner's to look up), and what their code printed. The rest is the kit's.

# fields that quote the learner or Python (op: NumPy's own name of an operation in its warning, "scalar divide")
LEARNER_FIELDS = ("message", "traceback", "code", "error", "snippet", "op")


def _template_pattern(template: str) -> re.Pattern:
    import string

    pattern = ""
    for literal, field, _, _ in string.Formatter().parse(template):
        pattern += re.escape(literal)
        if field is not None:
            pattern += f"(?P<{field}>[^\\n]*?)" if field in LEARNER_FIELDS and f"<{field}>" not in pattern else ".*?"
    return re.compile(pattern + r"(?=\n|$)" if pattern.endswith("?)") else pattern)


def kit_text(message: str) -> str:
    """A check's message without what it quotes of the learner's code, its exceptions and Python's words."""
    from autograder.messages import _load, language

    catalogue = _load(language())
    for key, template in catalogue.items():
        if any(f"{{{field}}}" in template for field in LEARNER_FIELDS):
            pattern = _template_pattern(template)
            for match in pattern.finditer(message):
                for field in set(pattern.groupindex) & set(LEARNER_FIELDS):
                    message = message.replace(match.group(field), " ", 1) if match.group(field) else message
    lines = [line for line in message.splitlines() if not line.startswith("    ")
             and not re.match(r'\s*File "', line)]
    return "\n".join(lines)

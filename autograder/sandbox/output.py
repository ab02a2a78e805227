"""Cleaning the worker's untrusted output: what the learner's code printed, where it was stopped, its warnings.

The worker runs in the learner's process, so everything it says of the code (``printed``, ``where``,
``warned``: see ``worker.OutputCapture`` and ``worker.Watchdog``) is the learner's to forge. Here it is
checked, bounded and made printable (no escape sequences or control characters reach a terminal or a
report), and every line of code shown is read from the grader's own copy of the file, never from the worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a check shows of the learner's printed output (the worker bounds it too, but that copy is the
# learner's to change): at most this many lines and characters, over all the calls of one check.
PRINTED_LINES = 10
PRINTED_CHARS = 2000
WHERE_FRAMES = 3  # frames of "where it was stopped" kept (innermost last)

# ANSI/VT escape sequences: CSI (colours, cursor moves, clearing), OSC (titles, hyperlinks; ended by BEL or
# ST), and the two-character ones (ESC c resets the terminal).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
# Everything else that moves the cursor or changes how text is laid out: C0/C1 controls (\r, \b, \f, \v,
# ...), bidirectional overrides and other format characters, line and paragraph separators (which
# str.splitlines splits on), lone surrogates (which cannot be printed) and private-use characters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\ue000-\uf8ff]"
)


def printable(value: str, keep_newlines: bool = True) -> str:
    """``value`` with nothing that a terminal interprets: no escape sequences or control characters.

    Tabs become spaces (a tab's width depends on its column) and, unless ``keep_newlines``, newlines
    become spaces. What is left can be laid out like any other text (see ``results.Report.render``).
    """
    value = _INVISIBLE.sub("", _ESCAPES.sub("", value.replace("\r\n", "\n"))).expandtabs(4)
    return value if keep_newlines else value.replace("\n", " ")


@dataclass
class Printed:
    """What the learner's code printed during one check, made printable: ``text`` and how many lines were left out.

    ``cut``: the last line of ``text`` is not complete.
    """

    text: str = ""
    more: int = 0
    cut: bool = False

    def add(self, raw) -> None:
        """Add the ``printed`` field of one answer from the worker (untrusted: checked, bounded, made printable)."""
        if not isinstance(raw, dict):
            return
        text, total = raw.get("text"), raw.get("lines")
        if type(text) is not str or type(total) is not int:
            return
        cut = raw.get("cut") is True or len(text) > PRINTED_CHARS
        lines = printable(text[:PRINTED_CHARS]).split("\n")
        total = max(len(lines), min(total, 10**9))  # (the worker's count is not believed below what it sent)
        room = PRINTED_LINES - (self.text.count("\n") + 1 if self.text else 0)
        if self.more or self.cut or room <= 0:  # full: what is left is only counted
            self.more += total
            return
        shown = lines[:room]
        joined = "\n".join(shown)
        space = PRINTED_CHARS - len(self.text)
        if len(joined) > space:
            joined, cut = joined[:space], True
        self.text = f"{self.text}\n{joined}" if self.text else joined
        self.cut = cut
        self.more += total - len(shown)

    def __bool__(self) -> bool:
        return bool(self.text.strip()) or self.more > 0

    def absorb(self, other: Printed) -> None:
        """Add what another record holds (a shared call's output, shown again under each check that uses it)."""
        if other:
            self.add(
                {
                    "text": other.text,
                    "lines": (other.text.count("\n") + 1 if other.text else 0) + other.more,
                    "cut": other.cut,
                }
            )


def _code_at(files: dict, module: str, line: int) -> str | None:
    """The text of line ``line`` of ``module``'s file in the grader's own copy (``files``), made printable and
    bounded; None if the file has no such line."""
    source = files[module]
    source = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else str(source)
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return None
    code = printable(lines[line - 1].strip(), keep_newlines=False)
    return code if len(code) <= 200 else code[:199] + "…"


def stopped_at(frames, files: dict) -> list[dict]:
    """The ``where`` field of a worker's notice, checked: frames of the submission's own exercise files only.

    Each frame keeps its file's name (one of ``files``, the exercise modules graded), a line number, a
    function name that is an identifier (or ``<module>``, ``<lambda>`` ...) and the text of that line
    read from the grader's own copy of the file, never from the worker. Anything else is dropped.
    """
    out = []
    for frame in frames[-WHERE_FRAMES:] if isinstance(frames, list) else ():
        if not isinstance(frame, dict):
            continue
        name, line, function = frame.get("file"), frame.get("line"), frame.get("function")
        module = name[:-3] if type(name) is str and name.endswith(".py") else None
        if module is None or module not in files or type(line) is not int or type(function) is not str:
            continue
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,99}|<[a-z]{1,20}>", function):
            continue
        code = _code_at(files, module, line)
        if code is not None:
            out.append({"file": name, "line": line, "function": function, "code": code})
    return out


WARNINGS_KEPT = 4  # warnings kept per check (the worker bounds them too)


def warned_at(raw, module: str, files: dict) -> list[dict]:
    """The ``warned`` field of a worker's answer, checked: warnings raised at a line of ``module``'s file.

    Each keeps its category (an identifier), its message (bounded, made printable), the file's name and a line
    number within the grader's own copy of the file, with that line's text read from the copy. Anything else
    is dropped: the worker is the learner's, so what it says only chooses a sentence and a line.
    """
    out = []
    for item in raw[:WARNINGS_KEPT] if isinstance(raw, list) else ():
        if not isinstance(item, dict):
            continue
        category, message, name, line = item.get("category"), item.get("message"), item.get("file"), item.get("line")
        if name != f"{module}.py" or module not in files or type(line) is not int or type(message) is not str:
            continue
        if type(category) is not str or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", category):
            continue
        code = _code_at(files, module, line)
        if code is not None:
            out.append(
                {
                    "category": category,
                    "message": printable(message[:200], keep_newlines=False),
                    "file": name,
                    "line": line,
                    "code": code,
                }
            )
    return out

"""A learner's file that is not saved as UTF-8: one clear message for the file, not a syntax error per check.

Python reads a source file as UTF-8 unless its first lines declare another
encoding (PEP 263). An editor on a Chinese Windows machine may save in GBK
(Notepad and older editors, the ANSI code page 936); Python then stops at the
first Chinese character (``SyntaxError: Non-UTF-8 code ...``) when the file
is run, and, when it is imported, sometimes only in a string and not in a
comment. So the grader decides from its own copy of the file's bytes, before
any of it runs: a file that its declared encoding (UTF-8 by default) cannot
decode is not run at all, and every check of it gets the same message, shown
once (``blame.settle``): what encoding it looks like, the first line that
shows it, and how to save it again as UTF-8.
"""

from __future__ import annotations

import io
import re
import tokenize

# PEP 263's encoding declaration, on one of a file's first two lines
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")
# (codec, the name a learner's editor shows for it), tried in this order on a file that is not UTF-8
GUESSES = (("gbk", "GBK"), ("gb18030", "GB18030"), ("big5", "Big5"), ("shift_jis", "Shift-JIS"))


def problem(data: bytes) -> dict | None:
    """None if Python can read ``data`` as its declared encoding; else what the report says about it:
    ``{"kind": "encoding", "encoding": guess or "", "line": first bad line, "text": that line, decoded}``."""
    try:
        declared, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        # an unknown declared encoding: Python's own import error says so. Without a declaration, the first line
        # itself is not UTF-8 (a GBK file whose first line is Chinese, as every file of the Chinese release is)
        if any(_COOKIE.match(line) for line in data.splitlines()[:2]):
            return None
        declared = "utf-8"
    try:
        data.decode(declared)
        return None
    except UnicodeDecodeError as exc:
        start = exc.start
    except LookupError:
        return None
    line = data[:start].count(b"\n") + 1
    raw = data.splitlines()[line - 1] if data.splitlines() else b""
    guess, shown = "", raw.decode("utf-8", errors="replace")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        guess = "UTF-16"
    else:
        for codec, name in GUESSES:
            try:
                data.decode(codec)
            except UnicodeDecodeError:
                continue
            guess, shown = name, raw.decode(codec)
            break
    return {"kind": "encoding", "encoding": guess, "line": line, "text": shown.strip()[:200]}

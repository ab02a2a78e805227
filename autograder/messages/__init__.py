"""Every learner-facing sentence lives in a catalogue, one per language.

``text("hint.sign")`` looks a key up in the current language (``--lang`` or
``AUTOGRADER_LANG``, else the locale: ``LANG=zh_CN.UTF-8`` selects Simplified
Chinese; English otherwise) and fills its
``{fields}`` with ``str.format``. A key missing from a translation falls back
to English, so a partial translation still works.

A language's catalogue is ``<lang>.toml`` (the texts every exercise shares)
plus one file per exercise, ``<lang>/<exercise>.toml``, holding that
exercise's texts only (its messages, hints and notebook text), all under its
short name: ``ex4.*`` in ``en/ex4_autograd_nn.toml``. Adding an exercise adds
files here; it edits none. The translated docstrings of the stubs are in
``<lang>/docstrings/<exercise>.toml`` (read by ``course.docstrings``).

It imports nothing of the kit: it is the bottom layer, beside the sandbox.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from functools import cache, lru_cache
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT = "en"


class CatalogueError(ValueError):
    """A catalogue file is malformed or defines a key twice."""


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            flat[name] = str(value).strip("\n")
    return flat


def _read(path: Path) -> dict[str, str]:
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: {exc}") from None


def exercise_file_prefix(path: Path) -> str:
    """``ex4.`` for ``en/ex4_autograd_nn.toml``: every key of that file starts with it."""
    match = re.match(r"^(ex\d+)_[a-z0-9_]+$", path.stem)
    if not match:
        raise CatalogueError(f"{path}: an exercise's text file is named after the exercise (ex<number>_<words>.toml)")
    return match.group(1) + "."


@cache
def _load(lang: str) -> dict[str, str]:
    path = HERE / f"{lang}.toml"
    flat = _read(path) if path.exists() else {}
    for part in sorted((HERE / lang).glob("*.toml")) if (HERE / lang).is_dir() else ():
        prefix = exercise_file_prefix(part)
        for key, value in _read(part).items():
            if not key.startswith(prefix):
                raise CatalogueError(
                    f"{part}: the key {key!r} belongs elsewhere: every key of this exercise's "
                    f"file starts with {prefix!r}"
                )
            if key in flat:
                raise CatalogueError(f"{part}: the key {key!r} is defined twice in the {lang} catalogue")
            flat[key] = value
    return flat


def has(key: str) -> bool:
    """Whether ``key`` exists in the current language or in English."""
    return key in _load(language()) or key in _load(DEFAULT)


def preload() -> None:
    """Read the catalogues now (before any submitted code runs), not on first use."""
    _load(DEFAULT)
    _load(language())


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
_WARNED: set[str] = set()


def available() -> list[str]:
    """The languages that have a catalogue (``en``, ``zh_CN``, ...)."""
    return sorted(path.stem for path in HERE.glob("*.toml"))


@lru_cache(maxsize=64)  # every text() asks (the catalogues are part of the kit: they do not change while it runs)
def normalise(name: str) -> str | None:
    """``zh_CN.UTF-8``, ``zh-cn``, ``zh`` -> ``zh_CN``; ``C``/``POSIX`` -> ``en``; None when there is no such
    catalogue."""
    code = name.split(".")[0].split("@")[0].replace("-", "_").strip()
    if code in ("", "C", "POSIX"):
        return DEFAULT
    for lang in available():
        if code.lower() == lang.lower() or code.lower() == lang.split("_")[0].lower():
            return lang
    for lang in available():  # zh_TW, zh_SG ... read the Chinese catalogue rather than English
        if code.split("_")[0].lower() == lang.split("_")[0].lower():
            return lang
    return None


def _warn(text_: str) -> None:
    if text_ not in _WARNED:
        _WARNED.add(text_)
        print(text_, file=sys.stderr)


def language() -> str:
    """The language of every text: ``AUTOGRADER_LANG`` (``--lang``), else the locale, else English.

    An asked-for language without a catalogue is a warning on stderr (once), and English is used.
    """
    asked = os.environ.get("AUTOGRADER_LANG")
    if asked:
        found = normalise(asked)
        if found is None:
            _warn(
                f"warning: no texts in the language {asked!r} (AUTOGRADER_LANG / --lang); using English. "
                f"Available: {', '.join(available())}\n警告：没有语言 {asked!r} 的文本，改用英文。"
            )
            return DEFAULT
        return found
    for variable in LOCALE_VARIABLES:  # the first one set decides, as for any program
        value = os.environ.get(variable)
        if value:
            return normalise(value) or DEFAULT
    if sys.platform == "win32":  # Windows sets no LANG: its user's locale ("zh-CN") decides
        return normalise(_windows_locale()) or DEFAULT
    return DEFAULT


def _windows_locale() -> str:
    """The Windows user's locale name (``zh-CN``, ``en-US``), or "" where it cannot be read."""
    if sys.platform != "win32":  # (ctypes.windll exists on Windows only)
        return ""
    try:
        # lazy: Windows only, and ctypes costs 1.5-3.5 ms of start-up (python -X importtime, 2026-12-07)
        import ctypes

        buffer = ctypes.create_unicode_buffer(85)
        if ctypes.windll.kernel32.GetUserDefaultLocaleName(buffer, 85):
            return buffer.value
    except (AttributeError, OSError, ImportError):
        pass
    return ""


def keys(lang: str = DEFAULT) -> set[str]:
    return set(_load(lang))


_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"  # Chinese characters and full-width punctuation
_SPACE_BEFORE_FIELD = re.compile(f"(?<=[{_CJK}]) \\{{(\\w+)\\}}")
_SPACE_AFTER_FIELD = re.compile(f"\\{{(\\w+)\\}} (?=[{_CJK}])")
_CJK_FIRST = re.compile(f"[{_CJK}]")
_CJK_LAST = re.compile(f"[{_CJK}]$")


def _unspaced(template: str, fields: dict) -> str:
    """In Chinese, no space between two Chinese characters: "返回了 {got}" stays spaced for got = "list",
    and loses its space for got = "形状为 (1,) 的 NumPy 数组"."""

    def starts(match):
        value = str(fields.get(match.group(1), ""))
        return match.group(0)[1:] if _CJK_FIRST.match(value) else match.group(0)

    def ends(match):
        value = str(fields.get(match.group(1), ""))
        return match.group(0)[:-1] if _CJK_LAST.search(value) else match.group(0)

    return _SPACE_AFTER_FIELD.sub(ends, _SPACE_BEFORE_FIELD.sub(starts, template))


def label(key: str) -> str:
    """The catalogue text ``key`` as a label, followed by the language's colon: "Likely cause: ", "可能的原因："."""
    return text(key) + text("layout.colon")


def text(key: str, /, **fields) -> str:
    """The catalogue entry ``key`` in the current language, with ``fields`` filled in."""
    lang = language()
    template = _load(lang).get(key)
    if template is None:
        template = _load(DEFAULT).get(key)
    if template is None:
        raise KeyError(f"message {key!r} is missing from the English catalogue ({HERE}/en.toml or en/<exercise>.toml)")
    if not fields:
        return template
    if lang.startswith("zh"):
        template = _unspaced(template, fields)
    return template.format(**fields)

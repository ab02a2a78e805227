"""Every learner-facing sentence lives in a catalogue, one per language.

``text("hint.sign")`` looks a key up in the current language (English by
default; ``AUTOGRADER_LANG=zh_CN`` for Simplified Chinese) and fills its
``{fields}`` with ``str.format``. A key missing from a translation falls back
to English, so a partial translation still works.

A language's catalogue is ``<lang>.toml`` (the texts every exercise shares)
plus one file per exercise, ``<lang>/<exercise>.toml``, holding that
exercise's texts only (its messages, hints and notebook text), all under its
short name: ``ex4.*`` in ``en/ex4_autograd_nn.toml``. Adding an exercise adds
files here; it edits none.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import lru_cache
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


@lru_cache(maxsize=None)
def _load(lang: str) -> dict[str, str]:
    path = HERE / f"{lang}.toml"
    flat = _read(path) if path.exists() else {}
    for part in sorted((HERE / lang).glob("*.toml")) if (HERE / lang).is_dir() else ():
        prefix = exercise_file_prefix(part)
        for key, value in _read(part).items():
            if not key.startswith(prefix):
                raise CatalogueError(f"{part}: the key {key!r} belongs elsewhere: every key of this exercise's "
                                     f"file starts with {prefix!r}")
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


def language() -> str:
    return os.environ.get("AUTOGRADER_LANG", DEFAULT)


def keys(lang: str = DEFAULT) -> set[str]:
    return set(_load(lang))


def text(key: str, /, **fields) -> str:
    """The catalogue entry ``key`` in the current language, with ``fields`` filled in."""
    template = _load(language()).get(key)
    if template is None:
        template = _load(DEFAULT).get(key)
    if template is None:
        raise KeyError(f"message {key!r} is missing from the English catalogue ({HERE}/en.toml or en/<exercise>.toml)")
    return template.format(**fields) if fields else template

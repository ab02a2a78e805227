"""Every learner-facing sentence lives in one catalogue per language.

``text("hint.sign")`` looks a key up in ``<lang>.toml`` (English by
default; set ``AUTOGRADER_LANG=zh_CN`` once a ``zh_CN.toml`` exists) and fills
its ``{fields}`` with ``str.format``. A key missing from a translation falls
back to English, so a partial translation still works.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT = "en"


@lru_cache(maxsize=None)
def _load(lang: str) -> dict[str, str]:
    path = HERE / f"{lang}.toml"
    if not path.exists():
        return {}
    flat: dict[str, str] = {}

    def walk(prefix, table):
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(name, value)
            else:
                flat[name] = str(value).strip("\n")

    walk("", tomllib.loads(path.read_text(encoding="utf-8")))
    return flat


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
        raise KeyError(f"message {key!r} is missing from the catalogue {HERE / (DEFAULT + '.toml')}")
    return template.format(**fields) if fields else template

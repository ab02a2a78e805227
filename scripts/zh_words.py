"""Write autograder/messages/zh_CN/words.txt: the Chinese words of the kit's texts, which the report never splits.

    python scripts/zh_words.py GLOSSARY.zh.md      (needs jieba: pip install jieba)

The terminal report wraps Chinese text between characters; a line must not break inside a word (results.wrap).
The words are those of the kit's own Chinese texts (the catalogues, the translated docstrings, the README), as
the jieba segmenter finds them, and every term of the glossary (its table's second column), kept whole. Run it
again after adding Chinese texts: a word missing from the list may be split at the end of a line (runs of up to
four characters never are). jieba is needed here only, to write the list; the kit itself reads the list.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT / "autograder" / "messages"
OUT = MESSAGES / "zh_CN" / "words.txt"
HAN = re.compile(r"^[\u3400-\u9fff]{2,}$")


def kit_texts() -> list[str]:
    """Every Chinese text of the kit a report or a release shows."""
    sys.path.insert(0, str(ROOT))
    # lazy: the kit's own package is found through ROOT, put on sys.path just above
    from autograder.messages import _flatten

    texts = []
    for path in [MESSAGES / "zh_CN.toml", *sorted((MESSAGES / "zh_CN").rglob("*.toml"))]:
        texts += [
            value
            for key, value in _flatten(tomllib.loads(path.read_text(encoding="utf-8"))).items()
            if ".demo." not in key
        ]
    texts += [path.read_text(encoding="utf-8") for path in (ROOT / "autograder" / "templates").glob("*zh_CN*")]
    return texts


def glossary_terms(path: Path) -> list[str]:
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.search(r"[\u4e00-\u9fff]", cells[1]):
            terms += [term for term in re.split(r"[ /、，,（）()\"“”]+", cells[1]) if HAN.match(term)]
    return terms


def words(texts: list[str], terms: list[str]) -> list[str]:
    # lazy: jieba is no dependency of the kit (pip install jieba to run this script); the rest of it runs without
    import jieba

    for term in terms:
        jieba.add_word(term)
    found = set(terms)
    for text in texts:
        found.update(word for word in jieba.cut(text) if HAN.match(word))
    return sorted(found, key=lambda word: (len(word), word))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    terms = glossary_terms(Path(argv[0]))
    found = words(kit_texts(), terms)
    OUT.write_text(
        "# The Chinese words of the kit's texts, one a line: the report never breaks a line inside one.\n"
        "# Written by scripts/zh_words.py (jieba's segmentation of the texts, and the glossary's terms).\n"
        + "\n".join(found)
        + "\n",
        encoding="utf-8",
    )
    print(f"{OUT.relative_to(ROOT)}: {len(found)} words ({len(terms)} glossary terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

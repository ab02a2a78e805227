"""Pairs of submissions far more alike than the class's usual, for the class page (``--similarity``).

Each exercise file of every submission is fingerprinted with copydetect (tokenised, so renamed
variables and changed comments do not hide a copy; winnowed k-grams of 25 tokens), the stub the
class started from given as boilerplate, so code every learner was handed never counts. For each
pair the share of fingerprints the two have in common is compared with the distribution over all
pairs of the class: a pair is listed when its share is far above the class's median (more than
``SPREAD`` robust standard deviations, from the median absolute deviation) and at least ``FLOOR``.
Short correct answers look alike in every class; only a pair far out of that distribution is shown,
with the two files side by side and the shared code marked. It is a lead for a person to read, not
a verdict. The submissions are read as ``grade`` reads them (:func:`submission.stage`: plain files
only, never run).
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.course import registry
from autograder.course.stubs import strip_solution
from autograder.grading.submission import stage

NOISE = 25  # tokens in a fingerprint (copydetect's noise threshold)
FLOOR = 0.6  # a listed pair shares at least this share of fingerprints
SPREAD = 4.0  # and lies this many robust standard deviations above the class's median
MIN_PAIRS = 6  # below this many pairs, the class has no distribution to compare with: the floor alone


@dataclass
class Pair:
    exercise: str
    first: str
    second: str
    share: float  # of fingerprints in common (the smaller of the two files' shares)
    code: tuple[str, str]
    marked: tuple[list[tuple[int, int]], ...]  # (start, end) character ranges of shared code in each file


def _stub(exercise: str) -> str:
    root = Path(registry.__file__).resolve().parent.parent.parent
    stub = root / "exercises" / f"{exercise}.py"
    if stub.is_file():
        return stub.read_text(encoding="utf-8")

    return strip_solution(registry.solutions_dir().joinpath(f"{exercise}.py").read_text(encoding="utf-8"), exercise)


def _fingerprint(code: str, boilerplate=None):
    # lazy, here and in similar_pairs: copydetect is in the [instructor] extra only, for --similarity
    from copydetect import CodeFingerprint

    # the name only tells copydetect the language (Python, by its extension)
    return CodeFingerprint("code.py", NOISE, 1, boilerplate=boilerplate, fp=io.StringIO(code))


def read_class(folder: Path, students: dict[str, str]) -> dict[str, dict[str, str]]:
    """student -> {exercise: code}, for ``students`` (student -> their sub-folder or .zip in ``folder``)."""
    entries = {p.name: p for p in Path(folder).iterdir()}
    code = {}
    for student, name in students.items():
        path = entries.get(name) or entries.get(f"{name}.zip")
        if path is None:
            continue
        staged = stage(path)
        code[student] = {module: data.decode("utf-8", errors="replace") for module, data in staged.files.items()}
    return code


def similar_pairs(code: dict[str, dict[str, str]]) -> list[Pair]:
    """The pairs far more alike than the class's distribution, most alike first."""
    from copydetect import compare_files

    found = []
    for exercise in registry.names():
        stub = _fingerprint(_stub(exercise))
        prints = {}
        for student, files in code.items():
            if exercise in files:
                fingerprint = _fingerprint(files[exercise], boilerplate=list(stub.hashes))
                if fingerprint.hashes:  # nothing of its own beyond the stub: nothing to compare
                    prints[student] = fingerprint
        names = sorted(prints)
        shares = {}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                common = len(prints[a].hashes & prints[b].hashes)
                shares[(a, b)] = common / max(1, min(len(prints[a].hashes), len(prints[b].hashes)))
        if not shares:
            continue
        values = list(shares.values())
        median = statistics.median(values)
        spread = 1.4826 * statistics.median(abs(v - median) for v in values)
        for (a, b), share in shares.items():
            far = len(values) < MIN_PAIRS or share > median + SPREAD * max(spread, 0.02)
            if share >= FLOOR and far:
                _, _, slices = compare_files(prints[a], prints[b])
                marked = tuple(
                    [(int(s), int(e)) for s, e in zip(*np.asarray(part).reshape(2, -1), strict=True)] for part in slices
                )
                found.append(Pair(exercise, a, b, share, (prints[a].raw_code, prints[b].raw_code), marked))
    return sorted(found, key=lambda pair: -pair.share)

"""Correct code written another way than the reference scores full marks (no check pays only for the reference's
own way of writing an answer): each file in tests/correct/ replaces functions of one exercise, as tests/buggy/
does, and must keep every point of that exercise."""

from pathlib import Path

import pytest

from conftest import COURSE, build_buggy

CORRECT = Path(__file__).parent / "correct"
VARIANTS = sorted(CORRECT.glob("*.py"))


@pytest.mark.parametrize("variant", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_correct_variant_scores_full_marks(variant: Path, tmp_path, grade_path):
    meta = build_buggy(variant, tmp_path / "submission")
    exercise = COURSE.exercise(meta["MODULE"])
    report = grade_path(tmp_path / "submission", only={c.test_id for c in exercise.checks})
    lost = [(t.name, t.message) for t in report.tests if t.score < t.max_score]
    assert not lost, f"{variant.name} ({meta['doc']}) loses points:\n" + "\n---\n".join(f"{n}: {m}" for n, m in lost)

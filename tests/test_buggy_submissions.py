"""Every buggy submission in tests/buggy loses points on the function it breaks, with the expected hint."""

import re
import string
from pathlib import Path

import pytest

from autograder import messages
from autograder.messages import text

from conftest import BUGGY, COURSE, build_buggy, load_bug

BUGS = sorted(BUGGY.glob("*.py"))


def said(key: str, fields: dict) -> re.Pattern:
    """The catalogue text ``key`` as a pattern: its fields filled from ``fields`` (HINT_FIELDS), any other field
    matching any text (a line number, the file's name), so a hint with fields can be declared too."""
    template = messages._load(messages.language()).get(key) or messages._load("en")[key]
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal).replace("\\ ", " ?"))  # (Chinese drops a space beside a Chinese field)
        if name is not None:
            parts.append(re.escape(str(fields[name])) if name in fields else r"[\s\S]*?")
    return re.compile("".join(parts))


def test_library_is_large_enough():
    """The issue asks for at least 25 buggy submissions."""
    assert len(BUGS) >= 25, f"only {len(BUGS)} buggy submissions in {BUGGY}"


@pytest.mark.parametrize("bug_file", BUGS, ids=[p.stem for p in BUGS])
def test_bug_loses_points_with_hint(bug_file: Path, tmp_path, grade_path):
    bug = build_buggy(bug_file, tmp_path / "submission")
    # only the broken exercise's checks: the other files are the reference, untouched
    exercise = COURSE.exercise(bug["MODULE"])
    report = grade_path(tmp_path / "submission", only={c.test_id for c in exercise.checks})
    assert {t.test_id for t in report.tests} == {c.test_id for c in exercise.checks}
    broken = [(t.name, t.debug) for t in report.tests if t.debug]
    assert not broken, f"the grader itself failed on {bug_file.name}: {broken}"
    on_target = [t for t in report.tests if t.exercise == bug["MODULE"] and t.function == bug["TARGET"]]
    assert on_target, f"no check grades {bug['MODULE']}.{bug['TARGET']}"
    lost = [t for t in on_target if t.score < t.max_score]
    assert lost, f"{bug_file.name}: every check of {bug['TARGET']} still passes: {bug['doc']}"
    hint = said(bug["HINT"], bug.get("HINT_FIELDS", {}))
    failing = [t for t in report.tests if t.status != "passed"]
    assert any(hint.search(t.message) for t in failing), (
        f"{bug_file.name}: the hint {bug['HINT']!r} appears in no failure message; got:\n"
        + "\n---\n".join(f"{t.name}: {t.message}" for t in failing)
    )
    assert report.score < exercise.points
    # NOT_HINTS: likely causes that would send the learner to the wrong line for this bug
    for key in bug.get("NOT_HINTS", ()):
        wrong = [t.name for t in failing if said(key, {}).search(t.message)]
        assert not wrong, f"{bug_file.name}: {wrong} give the cause {key!r}, which is not this bug"
    # LOSES: checks that must lose their points (a property check counts only for a function that works)
    for test_id in bug.get("LOSES", ()):
        lost_here = [t for t in report.tests if t.test_id == test_id and t.score < t.max_score]
        assert lost_here, f"{bug_file.name}: {test_id} kept its points"
    # DEPENDENTS: functions that fail because of this one; their checks send the learner to TARGET, once
    for dependent in bug.get("DEPENDENTS", ()):
        theirs = [t for t in report.tests if t.function == dependent and t.status != "passed"]
        assert theirs, f"{bug_file.name}: no check of {dependent} fails, so nothing shows the blame"
        # (fix_first_input: the check, not the dependent's code, runs TARGET to make the dependent's input)
        blames = [text(key, function=dependent, uses=f"`{bug['TARGET']}`", first=bug["TARGET"], module=bug["MODULE"])
                  for key in ("layout.fix_first", "layout.fix_first_input")]
        look_there = text("layout.where_line", function=dependent, module=bug["MODULE"])
        blame = next((b for b in blames if any(b in t.message for t in theirs)), None)
        assert blame, f"{bug_file.name}: {dependent} does not blame {bug['TARGET']}: " \
            + "\n---\n".join(t.message for t in theirs)
        assert not any(look_there in t.message for t in theirs), f"{bug_file.name}: a check still says look at {dependent}"
        full = [t for t in theirs if blame in t.message]
        assert len(full) == 1, f"{bug_file.name}: {dependent} is sent to {bug['TARGET']} {len(full)} times, not once"
        cause = f"{text('layout.cause')}:"  # the dependent's own guess would point into the dependent
        assert not any(cause in t.message for t in full), f"{bug_file.name}: {dependent} still guesses a cause"

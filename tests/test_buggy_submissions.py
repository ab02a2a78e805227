"""Every buggy submission in tests/buggy loses points on the function it breaks, with a message that names its cause.

A fixture is a file of replacement functions for one exercise, spliced into the reference solution, with:

* ``MODULE`` and ``TARGET``: the exercise, and the function to blame (a check of it must lose points);
* either ``HINT``: a catalogue key whose text a failure message must contain (the first fixtures' form),
* or ``CAUSE = {"en": regex, "zh_CN": regex}``: the cause that the message of a public check of ``TARGET``
  must name, in each language; the fixture is graded in both (the corpus of learner mistakes);
* ``NOT_SAY = {"en": [regex, ...], "zh_CN": [...]}`` (optional): what no failure message of the exercise may
  say, in each language (a cause that is not this bug's, a guess that would send the learner elsewhere);
* ``NOT_HINTS``, ``LOSES``, ``DEPENDENTS`` (optional): catalogue keys no message may give, checks that must
  lose their points, and functions whose checks must send the learner to ``TARGET``, once.
"""

import re
import string
from collections import Counter
from pathlib import Path

import pytest

from autograder import messages
from autograder.messages import label, text

from conftest import BUGGY, COURSE, build_buggy, load_bug

BUGS = sorted(BUGGY.glob("*.py"))
LANGUAGES = ("en", "zh_CN")
CORPUS = [path for path in BUGS if "CAUSE" in load_bug(path)]  # graded in both languages
HINTED = [path for path in BUGS if path not in CORPUS]
GUESSES = ("layout.cause", "layout.or_cause", "layout.advice")  # the labels of a guessed cause or advice


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
    """The issues ask for at least 25 buggy submissions, and (issue 21) a corpus of 60 more with their causes."""
    assert len(BUGS) >= 25, f"only {len(BUGS)} buggy submissions in {BUGGY}"
    assert len(CORPUS) >= 60, f"only {len(CORPUS)} fixtures declare the CAUSE their message must name"


@pytest.mark.parametrize("bug_file", BUGS, ids=[p.stem for p in BUGS])
def test_fixture_declares_a_cause(bug_file: Path):
    """Each fixture names its function and, in every language, the cause (or the older single HINT)."""
    bug = load_bug(bug_file)
    assert {"MODULE", "TARGET"} <= set(bug), f"{bug_file.name}: MODULE and TARGET are required"
    assert ("HINT" in bug) != ("CAUSE" in bug), f"{bug_file.name}: give HINT or CAUSE, one of them"
    for key in ("CAUSE", "NOT_SAY"):
        if key in bug:
            assert set(bug[key]) == set(LANGUAGES), f"{bug_file.name}: {key} has no patterns for {LANGUAGES}"
    for pattern in [bug.get("CAUSE", {}).get(lang) for lang in LANGUAGES] + [
            p for lang in LANGUAGES for p in bug.get("NOT_SAY", {}).get(lang, ())]:
        if pattern is not None:
            re.compile(pattern)


def test_not_say_patterns_can_occur(monkeypatch):
    """A NOT_SAY pattern is a text the kit could say (a catalogue entry of its language, alone or after a label):
    a pattern that matches nothing the kit can write would make its assertion empty."""
    from autograder.messages import keys

    for lang in LANGUAGES:
        monkeypatch.setenv("AUTOGRADER_LANG", lang)
        labels = [label(key) for key in GUESSES]
        texts = [text(key) for key in keys(lang) | keys("en")]
        texts += [name + entry for name in labels for entry in texts]
        for path in BUGS:
            for pattern in load_bug(path).get("NOT_SAY", {}).get(lang, ()):
                assert any(re.search(pattern, entry) for entry in texts), \
                    f"{path.name} [{lang}]: NOT_SAY /{pattern}/ matches no text of the catalogue"


def _grade(bug_file: Path, tmp_path, grade_path):
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
    assert report.score < exercise.points
    return bug, report


def _messages(tests) -> str:
    return "\n---\n".join(f"{t.name}: {t.message}" for t in tests)


def _structure(bug_file: Path, bug: dict, report) -> None:
    """NOT_HINTS, LOSES and DEPENDENTS, in the current language."""
    failing = [t for t in report.tests if t.status != "passed"]
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
        assert blame, f"{bug_file.name}: {dependent} does not blame {bug['TARGET']}: " + _messages(theirs)
        assert not any(look_there in t.message for t in theirs), f"{bug_file.name}: a check still says look at {dependent}"
        full = [t for t in theirs if blame in t.message]
        assert len(full) == 1, f"{bug_file.name}: {dependent} is sent to {bug['TARGET']} {len(full)} times, not once"
        # the dependent's own guess (a likely cause, or advice) would point into the dependent
        guesses = tuple(label(key) for key in GUESSES)
        assert not any(line.startswith(guesses) for t in full for line in t.message.splitlines()), \
            f"{bug_file.name}: {dependent} still guesses a cause"


@pytest.mark.parametrize("bug_file", HINTED, ids=[p.stem for p in HINTED])
def test_bug_loses_points_with_hint(bug_file: Path, tmp_path, grade_path):
    bug, report = _grade(bug_file, tmp_path, grade_path)
    hint = said(bug["HINT"], bug.get("HINT_FIELDS", {}))
    failing = [t for t in report.tests if t.status != "passed"]
    assert any(hint.search(t.message) for t in failing), (
        f"{bug_file.name}: the hint {bug['HINT']!r} appears in no failure message; got:\n" + _messages(failing))
    _structure(bug_file, bug, report)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("bug_file", CORPUS, ids=[p.stem for p in CORPUS])
def test_bug_loses_points_with_its_cause(bug_file: Path, lang: str, tmp_path, grade_path, monkeypatch):
    """A corpus fixture, graded in ``lang``: TARGET loses points, a public check of TARGET names the declared
    cause, and no message of the exercise says any of the fixture's NOT_SAY patterns."""
    monkeypatch.setenv("AUTOGRADER_LANG", lang)
    bug, report = _grade(bug_file, tmp_path, grade_path)
    failing = [t for t in report.tests if t.status != "passed"]
    named_on = [t for t in failing if t.function == bug["TARGET"] and t.visibility == "public"]
    cause = bug["CAUSE"][lang]
    assert any(re.search(cause, t.message) for t in named_on), (
        f"{bug_file.name} [{lang}]: no public check of {bug['TARGET']} names the cause /{cause}/; got:\n"
        + _messages(failing))
    for pattern in bug.get("NOT_SAY", {}).get(lang, ()):
        wrong = [t.name for t in failing if re.search(pattern, t.message)]
        assert not wrong, f"{bug_file.name} [{lang}]: {wrong} say /{pattern}/:\n" + _messages(failing)
    _structure(bug_file, bug, report)


def test_corpus_by_exercise():
    """The corpus covers every exercise (the count by exercise, for the record)."""
    counts = Counter(load_bug(path)["MODULE"] for path in CORPUS)
    missing = [e.name for e in COURSE.exercises if counts[e.name] < 5]
    assert not missing, f"fewer than 5 corpus fixtures for {missing}: {dict(counts)}"

"""No line of a reference answer reaches a student release, not even inside a docstring or a check.

The rule, applied to every release language (``en``: ``dist/student/``,
``zh_CN``: ``dist/student-zh_CN/``):

* The answer lines are those between ``# BEGIN SOLUTION`` and
  ``# END SOLUTION`` in ``solutions/*.py``
  (:func:`autograder.stubs.solution_bodies`: blank lines and comments are
  already left out).
* A line is "of some substance" when, with all whitespace removed, it has at
  least ``MIN_CHARS`` (15) characters, and it is none of:

  - a bare ``return <name>`` (``return point.grad``, ``return w, b``): it
    says nothing about how to compute the value;
  - a bare loop header ``for _ in range(<name>):``: it says "repeat <name>
    times", which the docstring says in words;
  - one of ``IDIOMS``, fixed API idioms that an exercise must name as its
    convention (``with torch.no_grad():``: "update under no_grad" is what
    the docstring has to ask for, and the line computes nothing).

  Shorter lines (``A1 = act(Z1)``, ``return X @ w + b``) are what any correct
  answer looks like; they cannot be hidden and give nothing away.
* Whitespace is normalised by removing it all, on both sides: a line matches
  wherever it appears in a file's text with any spacing, alignment or line
  wrapping (so ``dW2 = A1.T @ dy_hat`` is found in ``dW2    = A1.T @ dy_hat``).
* Every file of the release is searched except the message catalogues
  (``autograder/messages/**``): a hint shown after a failure may spell out the
  fix. ``ALLOWED`` lists narrow exceptions, each with its file, its line and
  why; it is empty.

The test builds the release with :func:`autograder.bundles.build_release`,
exactly as ``make release`` does, into a temporary folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder import registry
from autograder.stubs import solution_bodies

from conftest import SOLUTIONS

MIN_CHARS = 15
_NAME = r"[A-Za-z_][\w.]*"
BARE_RETURN = re.compile(rf"^return\s+{_NAME}(\s*,\s*{_NAME})*$")
BARE_LOOP = re.compile(r"^for\s+_\s+in\s+range\(\s*[A-Za-z_]\w*\s*\):$")
IDIOMS = {"with torch.no_grad():"}
EXEMPT_FOLDERS = ("autograder/messages/",)
# (release file, normalised answer line) -> why it may appear there. Keep it empty unless a check
# really cannot be written without the line; never add an exercise file here.
ALLOWED: dict[tuple[str, str], str] = {}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def substantial(line: str) -> bool:
    """Whether an answer line is "of some substance" (see the module docstring)."""
    line = line.strip()
    if len(_squash(line)) < MIN_CHARS or BARE_RETURN.match(line) or BARE_LOOP.match(line):
        return False
    return _squash(line) not in {_squash(idiom) for idiom in IDIOMS}


def answer_lines() -> dict[str, str]:
    """normalised answer line -> where it comes from (``ex1_manual_gradients: <line>``)."""
    found = {}
    for name in registry.names():
        for line in solution_bodies((SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")):
            if substantial(line):
                found.setdefault(_squash(line), f"{name}: {line}")
    return found


def test_the_substance_rule():
    assert substantial("order = rng.permutation(n)")
    assert substantial("dW2    = A1.T @ dy_hat")
    assert not substantial("return point.grad")  # a bare return of a name
    assert not substantial("return dataset_indices, labels")
    assert not substantial("A1 = act(Z1)")  # too short to give anything away
    assert not substantial("for _ in range(num_epochs):")
    assert not substantial("with torch.no_grad():")
    assert substantial("for start in range(0, n, batch_size):")
    assert substantial("return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2")
    assert len(answer_lines()) > 20, "the rule should select most answer lines"


def leaks(release: Path) -> list[str]:
    answers = answer_lines()
    found = []
    for path in sorted(release.rglob("*")):
        relative = path.relative_to(release).as_posix()
        if not path.is_file() or relative.startswith(EXEMPT_FOLDERS):
            continue
        content = _squash(path.read_text(encoding="utf-8", errors="ignore"))
        for squashed, origin in answers.items():
            if squashed in content and (relative, squashed) not in ALLOWED:
                found.append(f"{relative} contains the answer line [{origin}]")
    return found


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    from autograder.bundles import RELEASE_LANGUAGES, build_release, release_name

    dist = tmp_path_factory.mktemp("dist")
    for lang in RELEASE_LANGUAGES:
        build_release(dist, lang)
    return {lang: dist / release_name(lang) for lang in RELEASE_LANGUAGES}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_answer_line_in_the_release(releases, lang):
    found = leaks(releases[lang])
    assert not found, "answer lines in the student release:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_hidden_check_is_named_in_the_release(releases, lang):
    """Neither the name nor the title (in any language) of a hidden check, nor the grader's secret, is in a release;
    the public checks keep their Chinese titles."""
    from autograder.bundles import hidden_names

    names = hidden_names()
    found = []
    for path in sorted(releases[lang].rglob("*")):
        if path.is_file():
            content = path.read_text(encoding="utf-8", errors="ignore")
            found += [f"{path.relative_to(releases[lang])}: {name}" for name in names if name in content]
            assert "grader_secret" not in path.name, path
    assert not found, found
    catalogues = "".join(p.read_text(encoding="utf-8") for p in (releases[lang] / "autograder" / "messages" /
                                                                  "zh_CN").glob("*.toml"))
    public = [c.test_id for c in registry.course(include_hidden=True).checks if c.visibility == "public"]
    assert all(f"{test_id} = " in catalogues for test_id in public)

"""The grader's secret (autograder/course/secret.py): where it lives, what it keys, and that no release carries it or names
a hidden check."""

from __future__ import annotations

import multiprocessing
import stat
import zipfile
import zlib

import numpy as np
import pytest

from autograder.course import secret
from autograder.build.bundles import hidden_names
from autograder.sandbox.client import Limits, Session

from conftest import COURSE, MAX, ROOT, SOLUTIONS

HIDDEN = [c for c in COURSE.checks if c.visibility == "hidden"]


@pytest.fixture
def fresh_secret(monkeypatch):
    """secret() read again under the test's environment (and again after it, under the session's)."""
    secret.secret.cache_clear()
    yield monkeypatch
    secret.secret.cache_clear()


def test_the_secret_comes_from_the_environment_first(fresh_secret, tmp_path):
    fresh_secret.setenv(secret.ENV, "from the environment")
    fresh_secret.setenv(secret.FILE_ENV, str(tmp_path / "unused"))
    assert secret.secret() == b"from the environment"
    assert secret.location() is None and not (tmp_path / "unused").exists()


def test_a_secret_file_is_drawn_once_readable_by_its_owner_only(fresh_secret, tmp_path):
    fresh_secret.delenv(secret.ENV, raising=False)
    path = tmp_path / "keys" / "grader_secret"
    fresh_secret.setenv(secret.FILE_ENV, str(path))
    first = secret.secret()
    assert len(first) == 64 and int(first, 16) >= 0  # 32 random bytes, in hex
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret.secret.cache_clear()
    assert secret.secret() == first  # the same installation keeps it
    path.chmod(0o644)  # (a copy unpacked with a wider mode)
    secret.secret.cache_clear()
    assert secret.secret() == first and stat.S_IMODE(path.stat().st_mode) == 0o600


def _draw(path: str, queue) -> None:
    import os

    os.environ.pop(secret.ENV, None)
    os.environ[secret.FILE_ENV] = path
    secret.secret.cache_clear()
    queue.put(secret.secret())


def test_processes_starting_at_once_share_one_secret(tmp_path):
    """A batch's workers on a fresh clone: each may find no file; all end with the same secret, none half-written."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    for attempt in range(3):
        path = tmp_path / f"grader_secret_{attempt}"
        workers = [context.Process(target=_draw, args=(str(path), queue)) for _ in range(6)]
        for worker in workers:
            worker.start()
        drawn = {queue.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join()
        assert len(drawn) == 1 and len(drawn.pop()) == 64
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no draft left


def test_an_installation_without_hidden_checks_has_a_public_key(fresh_secret, tmp_path):
    fresh_secret.delenv(secret.ENV, raising=False)
    fresh_secret.delenv(secret.FILE_ENV, raising=False)
    fresh_secret.setattr(secret, "HIDDEN", tmp_path / "no-hidden-checks")
    assert secret.secret() == secret.PUBLIC_KEY  # a student release: the same seeds on every machine


def test_hidden_seeds_are_keyed(fresh_secret):
    seeds = {}
    for value in ("one", "two"):
        fresh_secret.setenv(secret.ENV, value)
        secret.secret.cache_clear()
        seeds[value] = [secret.hidden_seed(literal) for literal in (101, 102, 201, 202)]
        assert seeds[value] == [secret.hidden_seed(literal) for literal in (101, 102, 201, 202)]  # deterministic
        assert all(0 <= seed < secret.SEED_RANGE for seed in seeds[value])
        assert not set(seeds[value]) & {101, 102, 201, 202}
    assert not set(seeds["one"]) & set(seeds["two"])


def test_request_seeds_depend_on_the_key_not_on_a_public_formula():
    """The seed a request carries into the sandbox says nothing of the check without the grader's secret key."""

    def seeds(key: bytes, name: str) -> list[int]:
        session = Session(sandbox=None, files={}, limits=Limits(), seed_key=key)
        session.begin_check(name)
        return [session._next_seed() for _ in range(3)]

    name = HIDDEN[0].test_id
    assert seeds(b"k" * 32, name) == seeds(b"k" * 32, name)
    assert seeds(b"k" * 32, name) != seeds(b"j" * 32, name)
    old = zlib.crc32(name.encode())  # the formula anyone could compute before
    assert not set(seeds(b"k" * 32, name)) & {(old + 7919 * n) % 2**31 for n in range(1, 50)}


def test_the_reference_scores_full_marks_whatever_the_secret(fresh_secret, grade_path):
    """Hidden inputs change with the secret (calibration covers any seed); the reference keeps every point."""
    firsts = set()
    for value in ("alpha", "beta", "gamma"):
        fresh_secret.setenv(secret.ENV, value)
        secret.secret.cache_clear()
        firsts.add(float(np.random.default_rng(secret.hidden_seed(101)).normal()))
        report = grade_path(SOLUTIONS)
        assert report.score == MAX, (value, [(t.name, t.message) for t in report.tests if t.status != "passed"])
    assert len(firsts) == 3


def test_the_gradescope_bundle_carries_the_secret_for_root_only(tmp_path):
    from autograder.build.bundles import build_gradescope

    archive = build_gradescope(tmp_path)
    with zipfile.ZipFile(archive) as zf:
        entries = {info.filename: info for info in zf.infolist()}
        name = f"autograder/checks/hidden/{secret.FILE_NAME}"
        assert name in entries, sorted(n for n in entries if "hidden" in n)
        assert (entries[name].external_attr >> 16) & 0o777 == 0o600
        assert zf.read(name).strip() == secret.secret()
        assert not [n for n in entries if secret.FILE_NAME in n and n != name]  # no draft beside it


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_nbgrader_release_cells_name_no_hidden_check(lang):
    """What ``nbgrader generate_assignment`` leaves of a hidden test cell (its text outside the hidden block, its
    metadata) names its function and points only; the grade_id still finds the check when grading."""
    from autograder.build.bundles import in_language
    from autograder.build.notebooks import build_notebook, cell_check

    names = hidden_names()
    with in_language(lang):
        for exercise in COURSE.exercises:
            notebook = build_notebook(exercise.name)
            for cell in notebook.cells:
                source = cell.source
                if "### BEGIN HIDDEN TESTS" in source:  # what generate_assignment removes
                    source = source.split("### BEGIN HIDDEN TESTS")[0] + source.split("### END HIDDEN TESTS")[1]
                kept = source + repr(dict(cell.metadata))
                assert not [n for n in names if n in kept], (exercise.name, kept)
            grade_ids = [cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells
                         if cell.metadata.get("nbgrader", {}).get("grade") and not
                         cell.metadata["nbgrader"].get("solution")]
            tests = {cell_check(*grade_id.split("-", 1)) for grade_id in grade_ids}
            assert tests == {c.test_id for c in exercise.checks}


def test_release_builds_refuse_a_hidden_name(tmp_path, monkeypatch):
    """build_release checks its own output: a hidden check's title left in a catalogue stops the build."""
    from autograder.build import bundles

    monkeypatch.setattr(bundles, "_drop_hidden_titles", lambda catalogues: None)
    with pytest.raises(RuntimeError, match="hidden check is named"):
        bundles.build_release(tmp_path, "en")  # (the English release ships the Chinese catalogue too)


def test_the_checkout_keeps_its_secret_out_of_git():
    ignored = (ROOT / ".gitignore").read_text()
    assert "autograder/checks/hidden/grader_secret" in ignored

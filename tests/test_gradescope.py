"""run_autograder, for real, in a folder laid out like Gradescope's /autograder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.channels import gradescope
from autograder.course import registry
from autograder.grading.results import STATUSES, CheckResult, Report
from autograder.sandbox.client import Printed

from conftest import MAX, ROOT, SOLUTIONS

EXERCISES = registry.names()  # discovered from the files, never listed here

TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "stdout_visibility", "tests"}
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "tags", "visibility", "extra_data"}
FORMATS = {"output_format": "md", "test_output_format": "md", "test_name_format": "text"}  # Gradescope's names


def plain(markdown: str) -> str:
    """The text a Markdown output shows, for the tests' substring checks (backslash escapes undone)."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "gradescope", "--dist", str(dist)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return dist / "gradescope_autograder.zip"


def gradescope_root(tmp_path: Path, autograder_zip: Path) -> Path:
    """/autograder as Gradescope lays it out: source/ (our zip), submission/, results/."""
    root = tmp_path / "autograder"
    source = root / "source"
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(source)
        for info in zf.infolist():
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                (source / info.filename).chmod(mode)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for path in [root, source, *source.rglob("*")]:  # as setup.sh leaves it: only root may read the grader
        path.chmod(path.stat().st_mode & ~0o077)
    root.chmod(0o755)  # Gradescope's /autograder itself is traversable
    return root


def run_autograder(root: Path, **extra_env) -> dict:
    env = dict(os.environ, GRADESCOPE_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable, **extra_env)
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    validate(data)
    return data


def validate(data: dict):
    """The parts of Gradescope's results.json specification we use."""
    assert set(data) == TOP_KEYS, set(data)
    assert {key: data[key] for key in FORMATS} == FORMATS
    assert isinstance(data["score"], float) and isinstance(data["execution_time"], int)
    assert isinstance(data["output"], str) and data["stdout_visibility"] in {"hidden", "visible"}
    numbers = set()
    for test in data["tests"]:
        assert set(test) == TEST_KEYS, test
        assert test["status"] in {"passed", "failed"} and test["visibility"] in {"visible", "after_published", "hidden", "after_due_date"}
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"]
        extra = test["extra_data"]
        assert set(extra) == {"exercise", "function", "status"} and test["tags"] == [extra["exercise"]]
        assert extra["exercise"] in EXERCISES and extra["status"] in STATUSES
        assert extra["function"] in registry.course(include_hidden=True).exercise(extra["exercise"]).functions
        assert (extra["status"] == "passed") == (test["status"] == "passed")
        numbers.add(test["number"])
    assert len(numbers) == len(data["tests"])
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9


@pytest.mark.skipif(os.geteuid() != 0, reason="the privilege drop needs root, as on Gradescope")
def test_correct_loose_files_as_unprivileged_user(tmp_path, autograder_zip):
    root = gradescope_root(tmp_path, autograder_zip)
    for exercise in EXERCISES:
        shutil.copyfile(SOLUTIONS / f"{exercise}.py", root / "submission" / f"{exercise}.py")
    secret = root / "source" / "solutions" / "ex1_manual_gradients.py"
    results = root / "results"
    # A submission that tries to read the solutions and /etc/shadow and to write the results. dloss
    # answers correctly only if every attempt was refused, so the score proves what happened.
    (root / "submission" / "ex1_manual_gradients.py").write_text(
        (SOLUTIONS / "ex1_manual_gradients.py").read_text()
        + "\n\ndef _attempts():\n    refused = 0\n"
        + f"    try:\n        open({str(secret)!r}).read()\n    except OSError:\n        refused += 1\n"
        + f"    try:\n        open({str(results / 'results.json')!r}, 'w').write('{{}}')\n"
        + "    except OSError:\n        refused += 1\n"
        + f"    try:\n        open({str(results / 'planted.txt')!r}, 'w').write('x')\n"
        + "    except OSError:\n        refused += 1\n"
        + "    try:\n        open('/etc/shadow').read()\n    except OSError:\n        refused += 1\n"
        + "    return refused\n\n\n_dloss = dloss\n\n\ndef dloss(w, x, y):\n"
        + "    return _dloss(w, x, y) if _attempts() == 4 else _dloss(w, x, y) + 1\n")
    data = run_autograder(root)
    failing = [(t["name"], t["output"]) for t in data["tests"] if t["status"] != "passed"]
    assert data["score"] == MAX, failing
    assert not (results / "planted.txt").exists()
    hidden = [t for t in data["tests"] if t["visibility"] == "after_published"]
    assert hidden and all(t["visibility"] == "visible" for t in data["tests"] if t not in hidden)


def test_zip_upload_and_partial_credit(tmp_path, autograder_zip):
    root = gradescope_root(tmp_path, autograder_zip)
    with zipfile.ZipFile(root / "submission" / "work.zip", "w") as zf:
        zf.write(SOLUTIONS / "ex2_linear_regression.py", "exercises/ex2_linear_regression.py")
    data = run_autograder(root, AUTOGRADER_HIDDEN_VISIBILITY="after_due_date")  # as --hidden-visibility sets it
    ex2 = [t for t in data["tests"] if t["number"].startswith("2.")]
    assert ex2 and all(t["status"] == "passed" for t in ex2)
    assert data["score"] == sum(t["max_score"] for t in ex2)
    assert "ex1_manual_gradients.py is not in the submission" in plain(data["output"])
    hidden = [t for t in data["tests"] if t["visibility"] != "visible"]
    assert hidden and {t["visibility"] for t in hidden} == {"after_due_date"}
    missing = next(t for t in data["tests"] if t["extra_data"]["exercise"] == "ex1_manual_gradients")
    assert missing["status"] == "failed" and missing["tags"] == ["ex1_manual_gradients"]


@pytest.mark.parametrize("layout", ["empty", "misnamed", "crashing"])
def test_always_writes_valid_results(tmp_path, autograder_zip, layout):
    root = gradescope_root(tmp_path, autograder_zip)
    submission = root / "submission"
    if layout == "misnamed":
        (submission / "exercise1.py").write_text("x = 1\n")
    elif layout == "crashing":
        for exercise in EXERCISES:
            (submission / f"{exercise}.py").write_text("import os\nos._exit(1)\n")
    data = run_autograder(root)
    assert data["score"] == 0.0 and len(data["tests"]) > 0


def test_grader_failure_is_reported_as_ours(tmp_path, autograder_zip):
    root = gradescope_root(tmp_path, autograder_zip)
    shutil.rmtree(root / "source" / "autograder" / "checks")  # break the grader itself
    data = run_autograder(root)
    assert data["score"] == 0.0 and data["tests"] == []
    assert "not your fault" in data["output"] and "Traceback" not in data["output"]
    assert data["stdout_visibility"] == "hidden"


# ------------------------------------------------------------------ results.json itself, without a bundle

HOSTILE_TEXT = "bad `x` ``` </code></pre><img src=x onerror=alert(1)> *bold* [link](http://evil) ~~s~~ | a"


def hostile_report() -> Report:
    """One exercise: a public check failing with a message that carries learner text, a hidden one passing."""
    exercise = EXERCISES[0]
    function = registry.course(include_hidden=True).exercise(exercise).functions[0]
    message = (f"Your code raised ValueError while running `{function}`: {HOSTILE_TEXT}\n"
               f"  got:      '````` {HOSTILE_TEXT}'\n"
               f"Where to look: `{function}` in exercises/{exercise}.py")
    printed = Printed(text=f"````````\n{HOSTILE_TEXT}\n```", more=2)
    return Report(tests=[
        CheckResult("public check", exercise, function, 0.0, 2.0, "error", "public", message=message, printed=printed),
        CheckResult("hidden check", exercise, function, 3.0, 3.0, "passed", "hidden"),
    ])


def test_markdown_output_keeps_learner_text_in_its_place():
    """Code spans render; learner text renders as typed; nothing closes a fenced block early."""
    mistune = pytest.importorskip("mistune")  # a CommonMark-style renderer (nbconvert's)
    data = gradescope.to_gradescope(hostile_report(), 1.0, "after_published")
    validate(data)
    output = data["tests"][0]["output"]
    for block in re.findall(r"^(`{3,})text\n(.*?)\n\1$", output, re.S | re.M):
        fence, body = block
        assert all(len(run) < len(fence) for run in re.findall(r"`+", body)), block
    for escape in (True, False):  # with raw HTML escaped, and passed through (Gradescope sanitises it)
        html = mistune.create_markdown(escape=escape, plugins=["table", "strikethrough"])(output)
        function = data["tests"][0]["extra_data"]["function"]
        assert html.count(f"<code>{function}</code>") == 2, html  # the catalogue's code spans render
        for tag in ("<img", "<em>", "<strong>", "<del>", "<a ", "<table", "<h1", "<li"):
            assert tag not in html, (tag, html)
        blocks = re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", html, re.S)
        import html as html_lib

        shown = [html_lib.unescape(b) for b in blocks]
        assert shown[0] == f"got:      '````` {HOSTILE_TEXT}'\n"  # dedented, verbatim
        assert shown[1] == f"````````\n{HOSTILE_TEXT}\n```\n"  # what the code printed, verbatim
        prose = html_lib.unescape(re.sub(r"<[^>]+>", "", html.split("<pre>")[0]))
        # shown as typed, not rendered (a pair of single backticks, as in the catalogue's texts, shows as code)
        assert "<code>x</code>" in html and HOSTILE_TEXT.replace("`x`", "x") in prose
    assert "2 more lines" in plain(output)


def test_hidden_visibility_is_a_build_option(monkeypatch, tmp_path):
    report = hostile_report()
    monkeypatch.delenv(gradescope.HIDDEN_ENV, raising=False)
    assert gradescope.hidden_visibility() == "after_published"  # the default, as before
    for value in ("after_published", "after_due_date"):
        monkeypatch.setenv(gradescope.HIDDEN_ENV, value)
        data = gradescope.to_gradescope(report, 1.0)
        assert [t["visibility"] for t in data["tests"]] == ["visible", value]
    monkeypatch.setenv(gradescope.HIDDEN_ENV, "after_lunch")
    with pytest.raises(ValueError, match="AUTOGRADER_HIDDEN_VISIBILITY='after_lunch'.*after_due_date"):
        gradescope.hidden_visibility()
    # run_autograder with a bundle built wrong: refused before grading, with a results file all the same
    root = tmp_path / "autograder"
    (root / "results").mkdir(parents=True)
    assert gradescope.run(root) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    validate(data)
    assert data["score"] == 0.0 and data["tests"] == [] and "not your fault" in plain(data["output"])


def test_summary_gives_away_no_hidden_points():
    """The summary is shown at once, the hidden checks later: it counts the public checks only."""
    data = gradescope.to_gradescope(hostile_report(), 1.0, "after_published")
    assert data["score"] == 3.0  # Gradescope's total counts every check (and is hidden until they are shown)
    assert "0 / 2" in plain(data["output"]) and "3 / 5" not in plain(data["output"])


def test_the_bundle_carries_the_hidden_visibility(tmp_path):
    """`build gradescope --hidden-visibility after_due_date` puts the choice into run_autograder; the default
    leaves it out (Gradescope's after_published), and an unknown value is refused."""
    from autograder.build import bundles

    bundles.build_gradescope(tmp_path / "due", hidden_visibility="after_due_date")
    assert "export AUTOGRADER_HIDDEN_VISIBILITY=after_due_date" in (tmp_path / "due" / "gradescope" / "run_autograder").read_text()
    bundles.build_gradescope(tmp_path / "default")
    assert "AUTOGRADER_HIDDEN_VISIBILITY" not in (tmp_path / "default" / "gradescope" / "run_autograder").read_text()
    with pytest.raises(bundles.BuildError):
        bundles.build_gradescope(tmp_path / "bad", hidden_visibility="never")


@pytest.mark.parametrize("version, passes", [("3.10.12", False), ("3.11.0", True)])
def test_setup_sh_stops_where_the_image_has_no_python_3_11(autograder_zip, tmp_path, version, passes):
    """Ubuntu 22.04's own python3 is 3.10: where no python3.11 comes with the image, setup.sh stops the build
    before installing anything, saying which base image to choose. Run with apt-get and Python stood in for
    (they log their calls) and ``cd /autograder/source`` pointed at the unpacked zip: nothing is installed."""
    source = tmp_path / "source"
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(source)
    stubs, calls = tmp_path / "bin", tmp_path / "calls.txt"
    stubs.mkdir()
    (stubs / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> {calls}\n')
    older = 0 if passes else 1
    (stubs / "python3").write_text(f'#!/bin/sh\necho "python3 $*" >> {calls}\n'
                                   f'if [ "$1" = -V ]; then echo "Python {version}"; exit 0; fi\n'
                                   f'if [ "$1" = -c ]; then exit {older}; fi\nexit 0\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    env = {"PATH": str(stubs), "BASH_FUNC_cd%%": f"() {{ builtin cd '{source}'; }}"}
    run = subprocess.run(["/bin/bash", str(source / "setup.sh")], env=env, capture_output=True, text=True,
                         timeout=60)
    logged = calls.read_text()
    if passes:
        assert "python3 -m venv /autograder/venv" in logged, logged  # on to the install (the stubs stop there)
        assert "Base Image Version 22.04" not in run.stderr
    else:
        assert run.returncode == 1, run.stderr
        assert f"Python {version}" in run.stderr and "Base Image OS Ubuntu, Base Image Version 22.04" in run.stderr
        assert "-m venv" not in logged, logged

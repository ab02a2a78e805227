"""run_autograder, for real, in a folder laid out like Gradescope's /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import registry

from conftest import MAX, ROOT, SOLUTIONS

EXERCISES = registry.names()  # discovered from the files, never listed here

TOP_KEYS = {"score", "execution_time", "output", "stdout_visibility", "tests"}
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "visibility"}


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


def run_autograder(root: Path) -> dict:
    env = dict(os.environ, GRADESCOPE_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    validate(data)
    return data


def validate(data: dict):
    """The parts of Gradescope's results.json specification we use."""
    assert set(data) == TOP_KEYS, set(data)
    assert isinstance(data["score"], float) and isinstance(data["execution_time"], int)
    assert isinstance(data["output"], str) and data["stdout_visibility"] in {"hidden", "visible"}
    numbers = set()
    for test in data["tests"]:
        assert set(test) == TEST_KEYS, test
        assert test["status"] in {"passed", "failed"} and test["visibility"] in {"visible", "after_published", "hidden", "after_due_date"}
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"]
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
    data = run_autograder(root)
    ex2 = [t for t in data["tests"] if t["number"].startswith("2.")]
    assert ex2 and all(t["status"] == "passed" for t in ex2)
    assert data["score"] == sum(t["max_score"] for t in ex2)
    assert "ex1_manual_gradients.py is not in the submission" in data["output"]


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

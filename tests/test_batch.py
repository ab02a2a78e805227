"""Grading a class: mixed submissions into a CSV gradebook, one JSON report each."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile

import pytest

from autograder.course import registry
from autograder.course.stubs import strip_solution

from conftest import BUGGY, MAX, POINTS, ROOT, SOLUTIONS, build_buggy, copy_solutions

EXERCISES = registry.names()  # discovered from the files, never listed here


def stubs(folder):
    folder.mkdir(parents=True)
    for exercise in EXERCISES:
        (folder / f"{exercise}.py").write_text(strip_solution((SOLUTIONS / f"{exercise}.py").read_text(), exercise))


def test_batch_grades_every_kind_of_submission(tmp_path):
    klass = tmp_path / "class"
    copy_solutions(klass / "ada")
    build_buggy(BUGGY / "ex2_sgd_no_zero_grad.py", klass / "bob")
    build_buggy(BUGGY / "ex3_mlp_backward_no_mean.py", klass / "cyd")
    stubs(klass / "dan")
    (klass / "eve").mkdir()  # empty
    copy_solutions(klass / "fay")
    (klass / "fay" / "ex1_manual_gradients.py").write_text("def dloss(w, x, y)\n    return 0\n")  # syntax error
    copy_solutions(klass / "gus")
    (klass / "gus" / "ex3_mlp_backprop.py").write_text("import os\nos._exit(0)\n")  # hostile
    with zipfile.ZipFile(klass / "hal.zip", "w") as zf:
        for exercise in EXERCISES:
            zf.write(SOLUTIONS / f"{exercise}.py", f"hal/{exercise}.py")
    (klass / "ivy.zip").write_bytes(b"this is not a zip file")
    copy_solutions(klass / "jon")
    (klass / "jon" / "ex2_linear_regression.py").unlink()  # missing one file
    (klass / ".DS_Store").write_text("")
    (klass / "kim.py").write_text("def dloss(w, x, y):\n    return 0\n")  # loose files: not graded, but said
    (klass / "mo.tar.gz").write_bytes(b"")
    out = tmp_path / "grades.csv"
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--out", str(out), "-j", "2",
                          "--timeout", "5"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Grading" in run.stderr  # the progress bar
    assert "not graded, as neither a folder nor a .zip: kim.py, mo.tar.gz" in run.stderr, run.stderr
    with out.open(newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert list(rows) == sorted(rows) and len(rows) == 10, list(rows)
    header = ["student", *EXERCISES, "total", "max_score", "status", "sandbox"]
    assert out.read_text().splitlines()[0] == ",".join(header)

    def total(name):
        return float(rows[name]["total"])

    assert total("ada") == MAX and rows["ada"]["status"] == "ok"
    assert total("hal") == MAX
    assert 0 < total("bob") < MAX and float(rows["bob"]["ex1_manual_gradients"]) == POINTS["ex1_manual_gradients"]
    assert 0 < total("cyd") < MAX and float(rows["cyd"]["ex3_mlp_backprop"]) < POINTS["ex3_mlp_backprop"]
    assert total("dan") == 0 and rows["dan"]["status"] == "nothing implemented"
    assert total("eve") == 0 and rows["eve"]["status"].startswith("empty submission")
    assert total("fay") == MAX - POINTS["ex1_manual_gradients"] and "ex1_manual_gradients could not be imported" in rows["fay"]["status"]
    assert total("gus") == MAX - POINTS["ex3_mlp_backprop"] and "ex3_mlp_backprop could not be imported" in rows["gus"]["status"]
    assert total("ivy") == 0 and rows["ivy"]["status"] == "damaged zip; nothing could be graded"  # not a zip at all
    assert total("jon") == MAX - POINTS["ex2_linear_regression"] and rows["jon"]["status"] == "missing ex2_linear_regression"
    for name, row in rows.items():
        parts = sum(float(row[e]) for e in EXERCISES)
        assert abs(parts - float(row["total"])) < 1e-9, name
        report = json.loads((tmp_path / "grades_reports" / f"{name}.json").read_text())
        assert report["score"] == float(row["total"]) and report["max_score"] == MAX


def test_batch_reads_a_gradescope_export(tmp_path):
    export = tmp_path / "export"
    copy_solutions(export / "submission_101")
    stubs(export / "submission_102")
    (export / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :email: ada@example.org\n    :sid: '001'\n"
        "submission_102:\n  :submitters:\n  - :name: Bo Li\n    :email: bo@example.org\n"
    )
    from autograder.channels.batch import run_batch

    rows = run_batch(export, tmp_path / "g.csv", jobs=1, progress=False)
    assert [(r["student"], r["total"]) for r in rows] == [("001", f"{MAX:g}"), ("bo@example.org", "0")]


POOL_KILLER = '''
def _kill_the_grader():
    """Walk up from this worker and SIGKILL the first process running the batch's pool (level `none`)."""
    import os, signal
    pid = os.getpid()
    for _ in range(6):
        with open(f"/proc/{pid}/stat") as handle:
            pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            if b"multiprocessing" in handle.read():
                os.kill(pid, signal.SIGKILL)
                return


_kill_the_grader()
'''


def test_a_killed_pool_process_is_replaced(tmp_path, monkeypatch):
    """At the `none` level a submission can kill its grading process: the batch regrades, never blames others."""
    monkeypatch.setenv("AUTOGRADER_SANDBOX_LEVEL", "none")
    klass = tmp_path / "class"
    copy_solutions(klass / "ada")
    copy_solutions(klass / "zed")
    killer = klass / "zed" / "ex1_manual_gradients.py"
    killer.write_text(killer.read_text() + POOL_KILLER)
    copy_solutions(klass / "=cmd")  # a name a spreadsheet would run as a formula
    from autograder.channels.batch import WeakSandbox, run_batch

    with pytest.raises(WeakSandbox):
        run_batch(klass, tmp_path / "refused.csv", jobs=1, progress=False)
    import tempfile
    from pathlib import Path

    from autograder.grading.submission import FOLDER_PREFIX

    before = set(Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"))
    rows = run_batch(klass, tmp_path / "g.csv", jobs=1, progress=False, allow_weak=True)
    assert set(Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*")) <= before  # nothing left staged
    by_name = {r["student"]: r for r in rows}
    assert by_name["ada"]["total"] == f"{MAX:g}" and by_name["'=cmd"]["total"] == f"{MAX:g}", rows
    assert by_name["zed"]["status"].startswith("grader error") and by_name["zed"]["total"] == "0", rows
    assert by_name["ada"]["sandbox"] == by_name["'=cmd"]["sandbox"] == "none (--allow-weak-sandbox)", rows
    assert "'=cmd" in (tmp_path / "g.csv").read_text()

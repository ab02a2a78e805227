"""The learner's path on Windows and macOS, emulated on Linux (tests/emulate.py): no fork, no /proc, GBK.

Windows and macOS themselves were not tried here (see the README's platform table): these tests force the
code paths they take. Every Python process of an emulated command lacks ``fork`` and ``pidfd_open`` and sees
no ``/proc``; its default encoding (files, pipes, file names) is GBK; paths hold Chinese characters and
spaces. Required: the same reports as Linux with namespaces gives (the sandbox line aside).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import emulate
from conftest import BUGGY, ROOT, SOLUTIONS, build_buggy, copy_solutions

pytestmark = pytest.mark.skipif(bool(emulate.problem()), reason=f"emulation: {emulate.problem()}")

SAMPLE = sorted(BUGGY.glob("*.py"))[::6]  # a fixed sample of tests/buggy/ (every exercise among them)
PLACE = Path("作业 1") / "张三"  # a learner's folder as on a Chinese Windows machine


def _without_level(report: str) -> str:
    """The report without its sandbox line (namespaces here, none there) and its timing line."""
    lines, out, skipping = report.splitlines(), [], False
    for line in lines:
        if line.startswith(("Sandbox:", "运行环境：")):
            skipping = True
        elif skipping and (line.startswith(("(graded in", "（评分用时")) or not line.strip()):
            skipping = False
        if line.startswith(("(graded in", "（评分用时")):
            continue
        if not skipping:
            out.append(line)
    return "\n".join(out)


def test_the_emulation_takes_fork_and_proc_away_and_makes_gbk_the_default():
    probe = ("import locale, os, signal, sys; print(hasattr(os, 'fork'), hasattr(os, 'pidfd_open'), "
             "hasattr(signal, 'pidfd_send_signal'), os.path.exists('/proc/self'), locale.getpreferredencoding(), "
             "sys.getfilesystemencoding())")
    for python in ([sys.executable, "-c"], [sys.executable, "-I", "-c"], [emulate.base_python(), "-I", "-c"]):
        run = emulate.run([*python, probe], cwd=ROOT, timeout=120)
        assert run.stdout.decode("ascii").split() == ["False", "False", "False", "False", "GBK", "gbk"], run.stderr


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The reference, the stubs and the sample of buggy submissions, each in a folder of its own."""
    folder = tmp_path_factory.mktemp("samples")
    paths = [copy_solutions(folder / "solutions"), ROOT / "exercises"]
    for bug in SAMPLE:
        build_buggy(bug, folder / bug.stem)
        paths.append(folder / bug.stem)
    return paths


def test_buggy_fixtures_get_the_same_reports_without_fork_and_proc_under_gbk(samples, tmp_path):
    """The grader itself (hidden checks included) emulated, beside Linux's namespaces: the same report for
    every sample, word for word, in the learner's language."""
    linux, emulated = tmp_path / "linux", tmp_path / "emulated"
    script = str(ROOT / "tests" / "grade_many.py")
    env = {**os.environ, "AUTOGRADER_LANG": "zh_CN"}
    run = subprocess.run([sys.executable, script, str(linux), *map(str, samples)], cwd=ROOT, env=env,
                         capture_output=True, timeout=900)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    temp = tmp_path / "临时 文件"  # the staged folders too: a TEMP under C:\Users\张三\AppData
    temp.mkdir()
    run = emulate.run([sys.executable, script, str(emulated), *map(str, samples)], cwd=ROOT, timeout=900,
                      env=emulate.environment(AUTOGRADER_LANG="zh_CN", TMPDIR=str(temp)))
    assert run.returncode == 0, run.stderr.decode("gbk", "replace")
    assert (linux / "level.txt").read_text(encoding="utf-8").split() == ["namespaces", "Sandbox"]
    assert (emulated / "level.txt").read_text(encoding="utf-8").split() == ["none", "SpawnSandbox"]
    for path in samples:
        ours = json.loads((emulated / f"{path.name}.json").read_text(encoding="utf-8"))
        theirs = json.loads((linux / f"{path.name}.json").read_text(encoding="utf-8"))
        assert (ours.pop("isolation"), theirs.pop("isolation")) == ("none", "namespaces")
        assert ours == theirs, path.name
        assert _without_level((emulated / f"{path.name}.txt").read_text(encoding="utf-8")) == \
            _without_level((linux / f"{path.name}.txt").read_text(encoding="utf-8")), path.name
    assert not list(temp.iterdir()), "a staged folder or a worker's folder was left behind"


def test_the_notebook_self_check_without_fork_and_proc_under_gbk(tmp_path):
    """``check(...)`` in a notebook: its cells (with Chinese comments) are written and graded as UTF-8."""
    source = (SOLUTIONS / "ex1_manual_gradients.py").read_text(encoding="utf-8")
    broken = source.replace("return 2 * (w * x - y) * x", "return (w * x - y) * x")
    assert broken != source
    (tmp_path / "right.py").write_text(source + "\n# 中文注释\n", encoding="utf-8")
    (tmp_path / "wrong.py").write_text(broken, encoding="utf-8")
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from autograder.channels.notebook import check, CheckNotPassed\n"
            "right, wrong = (Path(sys.argv[1], name).read_text(encoding='utf-8') for name in ('right.py', 'wrong.py'))\n"
            "check('ex1_manual_gradients', 'test_dloss_scalar', cells=[right])\n"
            "try:\n"
            "    check('ex1_manual_gradients', 'test_dloss_scalar', cells=[wrong])\n"
            "except CheckNotPassed as exc:\n"
            "    print('NOT PASSED', str(exc).splitlines()[0])\n")
    run = emulate.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, timeout=300,
                      env=emulate.environment(AUTOGRADER_LANG="zh_CN"))
    out = run.stdout.decode("gbk")
    assert run.returncode == 0, run.stderr.decode("gbk", "replace")
    assert "通过" in out.splitlines()[0] and "NOT PASSED" in out, out


# ----------------------------------------------------------------- a fresh release, Python commands only


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The Chinese student release (the one the course's learners get) as built, unzipped twice: once for
    ``make grade`` (the kit's .venv), once under 作业 1/张三 for the Python commands alone."""
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "release", "--lang", "zh_CN", "--dist",
                          str(dist)], cwd=ROOT, capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    reference = tmp_path_factory.mktemp("make")
    with zipfile.ZipFile(dist / "student-zh_CN.zip") as archive:
        archive.extractall(reference)
    return dist / "student-zh_CN.zip", reference / "student-zh_CN"


def _make_grade(folder: Path, submission: str) -> str:
    venv = Path(sys.executable).parent.parent
    run = subprocess.run(["make", "--no-print-directory", "grade", f"VENV={venv}", f"SUBMISSION={submission}"],
                         cwd=folder, capture_output=True, timeout=600)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    return run.stdout.decode("utf-8")


def _report(output: str) -> str:
    """What follows the report's title line (pip's and the set-up's lines come before it)."""
    start = output.index("评分：")
    return _without_level(output[start:])


@pytest.mark.slow
def test_a_fresh_release_runs_the_learner_path_with_python_alone(release, samples, tmp_path):
    """Done when of issue 22: unzip, grade (the first run creates .venv and installs the pinned packages),
    grade other submissions, report, watch and submission: with `python grade.py` only (no make), in a
    Python without fork and /proc, under GBK, in a folder named 作业 1/张三; every report as `make grade`'s."""
    archive, made = release
    python = emulate.base_python()
    home = tmp_path / PLACE
    unzip = ("import sys, zipfile, os; os.makedirs(sys.argv[2], exist_ok=True); "
             "zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])")
    run = emulate.run([python, "-c", unzip, str(archive), str(home)], cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode("gbk", "replace")
    folder = home / "student-zh_CN"
    assert not (folder / ".venv").exists()

    first = emulate.run([python, "grade.py"], cwd=folder, timeout=1500)
    out = first.stdout.decode("gbk")
    assert first.returncode == 0, out[-3000:] + first.stderr.decode("gbk", "replace")[-3000:]
    assert "正在创建" in out and (folder / ".venv" / "bin" / "python").exists()
    assert _report(out) == _report(_make_grade(made, "exercises"))
    assert "运行环境：不隔离" in out

    for path in samples[:1] + samples[2:]:  # the reference and the buggy ones, public checks (a release)
        ours = emulate.run([python, str(folder / "grade.py"), str(path)], cwd=tmp_path, timeout=600)
        assert ours.returncode == 0, ours.stderr.decode("gbk", "replace")
        assert _report(ours.stdout.decode("gbk")) == _report(_make_grade(made, str(path))), path.name

    zipped = emulate.run([python, "grade.py", "submission"], cwd=folder, timeout=120)
    assert zipped.returncode == 0 and "submission.zip" in zipped.stdout.decode("gbk")
    with zipfile.ZipFile(folder / "submission.zip") as archive_:
        assert len(archive_.namelist()) == len(list((folder / "exercises").glob("ex*.py")))

    page = emulate.run([python, "grade.py", "report", str(samples[0])], cwd=folder, timeout=900)
    assert page.returncode == 0, page.stderr.decode("gbk", "replace")[-3000:]
    html = (folder / "report.html").read_text(encoding="utf-8")  # the reference's run: with its pictures
    assert "总分" in html and "data:image/png;base64," in html

    watch = subprocess.Popen(emulate.command([python, "grade.py", "watch"]), cwd=folder, env=emulate.environment(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        seen = _read_until(watch, "正在监视", 300)
        exercise = folder / "exercises" / "ex1_manual_gradients.py"
        exercise.write_text((SOLUTIONS / "ex1_manual_gradients.py").read_text(encoding="utf-8"), encoding="utf-8")
        seen += _read_until(watch, "与上一次相比", 300)
        assert "现在通过" in seen
    finally:
        os.killpg(watch.pid, signal.SIGINT)
        try:
            watch.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(watch.pid, signal.SIGKILL)
            watch.wait()


def _read_until(process: subprocess.Popen, marker: str, seconds: float) -> str:
    """What ``process`` writes until ``marker`` appears (GBK, as its terminal would show it)."""
    import select

    got, deadline = b"", time.monotonic() + seconds
    while marker not in got.decode("gbk", "replace"):
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} within {seconds} s: {got.decode('gbk', 'replace')[-2000:]}"
        ready, _, _ = select.select([process.stdout], [], [], left)
        chunk = os.read(process.stdout.fileno(), 65536) if ready else b""
        assert chunk or ready == [], f"watch ended: {process.stderr.read().decode('gbk', 'replace')[-2000:]}"
        got += chunk
    return got.decode("gbk", "replace")
